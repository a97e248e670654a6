// Long answers: itineraries, guides, summaries. Several run past Twilio's 1600-character cap and get truncated.
export const long: readonly string[] = [
  `Here’s a 3-day Lisbon itinerary that keeps the walking reasonable:

**Day 1 – Baixa, Chiado & Alfama**
- Start at Praça do Comércio around 9am, before the tour groups arrive.
- Walk up Rua Augusta to Rossio, then take the Santa Justa lift (or skip the line and use the free path from Largo do Carmo).
- Lunch in Chiado – try Taberna da Rua das Flores; it’s small, so go early.
- Afternoon: tram 28 toward Alfama. Get off at Miradouro de Santa Luzia for the view, then wander down through the alleys.
- Dinner with fado in Alfama. Most places have a minimum spend of about €25–30 per person.

**Day 2 – Belém**
- Take tram 15 from Praça da Figueira (about 30 minutes).
- Jerónimos Monastery opens at 9:30; book online to avoid the queue.
- Pastéis de Belém is right next door – the line moves fast, and the seated room inside is usually quicker.
- Walk along the river to the Padrão dos Descobrimentos and Belém Tower.
- In the late afternoon, the MAAT museum has a rooftop you can walk on for free.

**Day 3 – Sintra (day trip)**
- Train from Rossio station, roughly 40 minutes; trains run every 20 minutes.
- Pena Palace first (timed tickets!), then Quinta da Regaleira with the initiation well.
- If you still have energy, the Moorish Castle walls have the best views – but it’s a steep climb.
- Be back in Lisbon for a late dinner in Bairro Alto.

A few practical tips:
1. Buy a Viva Viagem card and load it with “zapping” credit – it works on trams, metro and the Sintra train.
2. Wear shoes with grip; the limestone sidewalks are slippery, especially when wet.
3. Restaurants bring bread and olives to the table – they’re not free, so just say “não, obrigado” if you don’t want them.

Want me to book the Jerónimos and Pena Palace tickets for you?`,
  `OK, here's a summary of your inbox from the past week, most important first.

1. Your landlord says the building's water will be shut off Thursday from 9am to noon for a pipe repair. Fill a few jugs the night before.
2. The insurance company approved your claim for the cracked windshield. The payout is $412 and should arrive in 5 to 7 business days. No action needed.
3. Priya sent the Q3 numbers and asked for your comments before Monday's board call. The file is "Q3_forecast_v4.xlsx". She flagged the marketing line as over budget by about 12 percent.
4. The school sent the field trip permission form for Leo (aquarium, Oct 18). It needs a signature and $15 by Friday.
5. Your dentist's office wants to confirm the cleaning on the 12th at 9:30am. Reply C to confirm or R to reschedule.
6. Amazon: the replacement headphones shipped and will arrive Wednesday. Return the old pair within 30 days or you'll be charged.
7. Three newsletters and two promotions you can probably ignore: a 20 percent off code from the outdoor store, a webinar invite about retirement planning, and the neighborhood association newsletter (the big news is a new stop sign on Oak St).
8. Dev asked if you can review his pull request by Tuesday. It's about 300 lines, mostly tests.
9. Your gym membership renews next month at the new rate of $49 per month, up from $42. You can freeze it for up to 3 months for free if you want to pause instead.
10. Your sister shared photos from the weekend in a Google Photos album. There are 84 photos; she starred the ones she wants you to order prints of.

Nothing else needs a reply. Do you want me to draft answers for Priya and Dev, and add the permission form deadline to your calendar for Thursday night so you don't forget it?`,
  `Here’s a beginner 5K plan that fits 3 runs a week – it takes 8 weeks and assumes you can walk briskly for 30 minutes today.

Week 1: run 1 min, walk 2 min – repeat 8 times.
Week 2: run 2 min, walk 2 min – repeat 6 times.
Week 3: run 3 min, walk 1½ min – repeat 5 times.
Week 4: run 5 min, walk 2 min – repeat 4 times.
Week 5: run 8 min, walk 2 min – repeat 3 times.
Week 6: run 10 min, walk 1 min – repeat 3 times.
Week 7: run 15 min, walk 1 min, run 15 min.
Week 8: run 30 minutes without stopping… and then race day!

A few things that make a big difference:
• Go slower than you think. You should be able to speak in full sentences while running – if you can’t, slow down.
• Never run two days in a row at first. Your heart and lungs adapt faster than your tendons and joints do, and most beginner injuries come from doing too much too soon.
• Warm up with 5 minutes of brisk walking and cool down with another 5. Stretch afterwards, not before.
• Get fitted for shoes at a running store if you can – it’s worth the $100–140.
• If a week feels too hard, repeat it. There’s no prize for finishing in exactly 8 weeks.
• Sleep and hydration matter more than any supplement. Aim for 7+ hours and drink water through the day, not just right before a run.

If you have knee pain that lasts more than a couple of days, or any chest pain or dizziness, stop and check with a doctor before continuing.

On race day itself: eat something light 2–3 hours before, don’t try new shoes or new food, and start at the back of the pack so you aren’t tempted to go out too fast. Walking through the water station is completely fine – lots of experienced runners do it.

Want me to put the runs on your calendar – say Monday, Wednesday and Saturday mornings at 7am – and text you a reminder the night before each one?`,
  `Troubleshooting your Wi-Fi dropping every evening:

1. Check whether it’s the Wi-Fi or the internet connection itself. When it drops, plug a laptop into the router with a cable. If the cable works, it’s a Wi-Fi problem; if not, it’s your provider.
2. If it’s the provider: evenings are peak hours, so this often points to congestion or a bad line. Run a speed test at 8pm for a few days and save the results – that’s what the support team will ask for.
3. If it’s Wi-Fi: log into the router (usually http://192.168.1.1) and look at the channel. On 2.4 GHz, use channel 1, 6 or 11 – whichever your neighbors use least. On 5 GHz, try switching from “auto” to a fixed channel like 36 or 149.
4. Update the router firmware. Many routers have a known bug where they slowly leak memory and crash after a few days – a firmware update or a weekly scheduled reboot fixes it.
5. Move the router. Inside a cabinet, behind the TV or near a microwave are the worst spots. Higher and more central is better.
6. Count your devices. Smart plugs, cameras and TVs add up; some cheaper routers struggle past 20–25 connected devices.
7. If your house is large or has thick walls, a mesh system (2–3 units) usually fixes dead zones better than a range extender.

If none of that works, your router may simply be old – anything older than about 5 years doesn’t support Wi-Fi 6 and may be the bottleneck. Most providers will also swap a rented modem for free if you ask – mention the evening drops and the speed test results.

I can call your provider’s support line tomorrow morning and open a ticket, or look up a mesh system within your budget – which would you prefer?`,
  `Here is what I found comparing the three phone plans you asked about.

Plan A (Mint, 15GB): 30 dollars a month if you pay for a year up front, 45 a month if you pay monthly. Runs on the T-Mobile network. Coverage is good in the city but weaker on the highway toward the cabin. Hotspot is included and counts against the 15GB. No international roaming unless you buy credit separately.

Plan B (Visible, unlimited): 25 dollars a month, no contract. Runs on Verizon, which has the best coverage around the cabin according to the coverage maps and two reviews from people in that area. Data can be slowed down during busy times. Hotspot is capped at 5 Mbps, which is fine for email but slow for video calls.

Plan C (your current carrier, unlimited premium): 85 dollars a month. Best speeds, 50GB of priority data, full-speed hotspot, and free roaming in Canada and Mexico. You also get the streaming bundle you mentioned you rarely use.

If you mostly use Wi-Fi at home and work, Plan B saves you about 720 dollars a year compared to what you pay now and has better coverage where you need it. The main downside is the slow hotspot, so if you work from the car or the cabin often, Plan A is a middle ground, although its coverage on the drive is the weakest of the three.

Switching is easy: you keep your number, and all three support eSIM, so you can set it up from the app in about 15 minutes. Your current contract has no early termination fee because the phone is paid off. One thing to check first: make sure your phone is unlocked. Carriers usually unlock a paid-off phone within 2 business days if you ask through their app or website.

Do you want me to start the switch to Visible, or set a reminder to decide this weekend?`,
  `Great question – here’s how compound interest works, step by step.

Simple interest only pays you on the money you put in. Compound interest pays you on the money you put in *and* on the interest you’ve already earned, so your balance grows faster each year.

Example: you invest $10,000 at 7% per year.
- After year 1: $10,000 × 1.07 = $10,700
- After year 2: $10,700 × 1.07 = $11,449
- After year 10: about $19,672
- After year 20: about $38,697
- After year 30: about $76,123

With simple interest, the same $10,000 would only be $31,000 after 30 years. That gap – about $45,000 – is entirely interest earned on interest.

The “rule of 72” is a handy shortcut: divide 72 by the interest rate to see how many years it takes to double. At 7%, that’s roughly 10 years; at 4%, about 18 years; at 10%, about 7 years.

Three things that matter most:
1. **Time.** Starting 10 years earlier roughly doubles the final amount at 7%.
2. **Rate.** The difference between 5% and 7% over 30 years is more than 70% more money.
3. **Fees.** A 1% annual fee sounds small, but over 30 years it can eat a quarter of your returns. Low-cost index funds often charge 0.03–0.10%.

Adding money regularly supercharges it: $200/month at 7% for 30 years grows to about $243,000, even though you only put in $72,000.

None of this is personal financial advice – returns aren’t guaranteed, and stocks can drop 30% or more in a bad year. Want me to run the numbers for your own savings and timeline?`,
  `Here are the minutes from the neighborhood association meeting you missed on Tuesday.

Attendance: 23 residents, plus Officer Diaz from the local precinct and a representative from the city parks department.

1. Traffic on Oak Street. Several residents reported cars speeding between 5th and 9th Avenue, especially in the morning school rush. The city agreed to install a stop sign at Oak and 7th by the end of next month and will do a speed study in the spring. A petition for speed bumps is circulating; it needs 60 signatures and currently has 41.

2. The park renovation. The parks department showed the new plan: a larger playground, a covered picnic area, new lighting on the walking path, and a small fenced dog run in the north corner. Construction starts in March and will close the park for about 10 weeks. Some residents asked whether the old oak trees would be kept; the answer was yes, all four are staying.

3. Safety. Officer Diaz said package thefts are up about 20 percent this year, mostly between noon and 4pm on weekdays. Suggestions: use a lockbox, have packages held at a pickup point, or ask a neighbor. He also reminded everyone that the non-emergency number is the best way to report suspicious activity.

4. Budget. Annual dues stay at 40 dollars per household. The association has 6,200 dollars in the bank, and about 2,000 of that is set aside for the summer block party.

5. Volunteers needed for the spring cleanup on April 12 and for the block party committee. Contact Linda Park if interested.

The next meeting is the second Tuesday of next month at 7pm in the library community room. Do you want me to add it to your calendar, or sign the speed bump petition for you?`,
  `Sure, here’s everything you need to know for the move on Saturday:

**Timeline**
- 7:30am – Movers arrive at the old place (“Swift Movers”, crew lead Marco, 555-0143).
- 8:00–11:30 – Loading. They estimated 3½ hours for a 2-bedroom.
- 12:30pm – Arrival at the new apartment. The building asked that the truck use the loading dock on Pine St, not the front entrance.
- 1:00–3:30 – Unloading and furniture assembly (bed frame, desk, bookshelf).
- 4:00pm – Final walkthrough at the old place with the landlord, Mr. Chen.

**Things to do before Saturday**
1. Reserve the elevator at the new building – done, 12:00–4:00pm.
2. Transfer electricity and internet – electricity switches on Friday; the internet technician is booked for Monday 8–12 (so you’ll need a hotspot over the weekend).
3. Pack a “first night” box: sheets, towels, toiletries, phone chargers, medications, snacks, a kettle, and toilet paper.
4. Take photos of the old apartment after the movers leave – it’ll help with the deposit.
5. Update your address with the post office, the bank and your employer. USPS mail forwarding starts Friday.

**Costs**
- Movers: $1,150 estimate (3 movers × 5 hrs) + $75 for the mattress bags. Payment is due at the end, card accepted.
- Tip: a typical tip is $20–40 per mover for a half-day job.

**Heads-up**
The forecast says 60% chance of showers around noon – I’d ask the movers to bring extra floor protection and wrap the upholstered chairs in plastic.

Want me to text Marco on Friday to reconfirm the time, and put the landlord walkthrough on your calendar?`,
  `Вот краткий план поездки в Санкт-Петербург на 3 дня.

День 1: Эрмитаж с утра (купите билеты онлайн, очередь огромная), обед на Невском проспекте, вечером прогулка по набережным и разведение мостов около часа ночи.

День 2: Петергоф — лучше добраться на «Метеоре» от Дворцовой набережной, дорога занимает около 40 минут. Фонтаны работают с мая по октябрь. Вернуться можно на электричке, это дешевле.

День 3: Исаакиевский собор (обязательно поднимитесь на колоннаду — вид потрясающий), Спас на Крови, Летний сад. Вечером — Мариинский театр, если удастся достать билеты.

Советы: возьмите удобную обувь и зонт — погода меняется быстро. Карта «Подорожник» подходит для метро, автобусов и трамваев. В центре почти всё можно обойти пешком.

Хотите, я забронирую билеты в Эрмитаж и на «Метеор»?`,
  `Here's a quick rundown of the budget for Mia's birthday party on the 14th 🎈

- Venue (community center room, 2-6pm): $120, already paid.
- Pizza for 20 kids and 10 adults: about $150 from Tony's, order by Thursday.
- Cake: $65 from the bakery on Main St, chocolate with strawberries, pick up at 1pm.
- Decorations and balloons: about $40, I found a bundle at the party store.
- Goodie bags: $4 each for 20 kids, so $80.
- Entertainment: the magician charges $200 for an hour, the face painter charges $150 for two hours.

Total with the magician is $655; with the face painter it's $605. Your budget was $600, so the face painter is closer, or you could skip the goodie bags.

RSVPs so far: 14 yes, 3 no, 5 no answer. I'll send a reminder to the 5 families on Sunday.

Want me to order the pizza and book the face painter?`,
];
