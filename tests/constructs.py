"""Small Vensim models exercising every construct the compiled engine covers (used by test_constructs.py)."""
from __future__ import annotations

CONTROL = """
INITIAL TIME = 0 ~ Month ~ |
FINAL TIME = 12 ~ Month ~ |
TIME STEP = 1 / steps per month ~ Month ~ |
steps per month = 4 ~ 1/Month ~ |
SAVEPER = TIME STEP ~ Month ~ |
"""

# a, b in [0.5, 5]; c (a smoothing or delay time) in [1, 4]: hypothesis draws them.
SCALAR = """{UTF-8}
a = 2 ~ Dmnl [0.5, 5, 0.1] ~ a lever: a slider range makes it one |
b = 3 ~ Dmnl ~ |
c = 2 ~ Month ~ |
input = a + STEP(b, 2) + SIN(Time) ~ Dmnl ~ |
step out = STEP(a, b) ~ Dmnl ~ |
ramp out = RAMP(a, b, b + c) ~ Dmnl ~ |
pulse out = PULSE(b, c) ~ Dmnl ~ |
pulse train out = PULSE TRAIN(b, 0.5, c, 10) ~ Dmnl ~ |
trig out = SIN(Time * a) + COS(Time / b) + TAN(Time / 10) ~ Dmnl ~ |
log out = LOG(a * Time + 1, b + 1) + LN(Time + a) + EXP(-Time / b) + SQRT(Time) ~ Dmnl ~ |
integer out = INTEGER(Time * a - 3) ~ Dmnl ~ |
modulo out = MODULO(Time * a - 5, b) ~ Dmnl ~ |
power out = POWER(a, Time / 10) + a ^ (Time / 4) + (-2) ^ 2 ~ Dmnl ~ |
quantum out = QUANTUM(Time * a, b) ~ Dmnl ~ |
minmax out = MIN(a, Time) + MAX(b, Time) + ABS(b - Time) ~ Dmnl ~ |
division out = ZIDZ(a, Time - b) + XIDZ(b, Time - a, -1) ~ Dmnl ~ |
logic out = IF THEN ELSE(Time > a :AND: Time < b + 4 :OR: :NOT: (Time < 11), 1, 0) ~ Dmnl ~ |
na out = IF THEN ELSE(Time > b, :NA:, a) ~ Dmnl ~ |
table([(0,0)-(10,10)],(0,0),(2,3),(5,4),(8,9)) ~ Dmnl ~ |
lookup out = table(Time * a - 2) ~ Dmnl ~ beyond both ends of the table, which holds its end values |
with lookup out = WITH LOOKUP(Time - b, ([(0,0)-(5,5)],(0,1),(1,3),(4,2))) ~ Dmnl ~ |
smooth out = SMOOTH(input, c) ~ Dmnl ~ |
smoothi out = SMOOTHI(input, c, a) ~ Dmnl ~ |
smooth3 out = SMOOTH3(input, c) ~ Dmnl ~ |
smooth3i out = SMOOTH3I(input, c, a) ~ Dmnl ~ |
delay1 out = DELAY1(input, c) ~ Dmnl ~ |
delay1i out = DELAY1I(input, c, a) ~ Dmnl ~ |
delay3 out = DELAY3(input, c) ~ Dmnl ~ |
delay3i out = DELAY3I(input, c, a) ~ Dmnl ~ |
delay fixed out = DELAY FIXED(input, 1.5, a) ~ Dmnl ~ |
smoothn out = SMOOTH N(input, c, a, 2) ~ Dmnl ~ |
delayn out = DELAY N(input, c, a, 3) ~ Dmnl ~ |
trend out = TREND(input, c, 0.1) ~ Dmnl ~ |
forecast out = FORECAST(input, c, 2) ~ Dmnl ~ |
initial out = INITIAL(input * 2) ~ Dmnl ~ |
active = ACTIVE INITIAL(stock * 2, a) ~ Dmnl ~ the stock starts from its initial value |
stock = INTEG(active / 10 - stock / 5, active) ~ Dmnl ~ |
sample out = SAMPLE IF TRUE(Time > b :AND: Time < b + 3, input, -1) ~ Dmnl ~ |
nested out = 2 * SMOOTH(DELAY1(input, c), c) + DELAY3(SMOOTH3(input, 1), c) ~ Dmnl ~ |
"quoted, name (with) $ymbols" = input * 2 ~ Dmnl ~ |
研发强度 = "quoted, name (with) $ymbols" / 3 ~ Dmnl ~ a Unicode name |
""" + CONTROL

SUBSCRIPTED = """{UTF-8}
Region: north, south, east ~ ~ |
Sector: farm, mill ~ ~ |
South East: south, east ~ ~ |
a = 2 ~ Dmnl ~ |
c = 2 ~ Month ~ |
base[Region] = 1, 2, 3 ~ Dmnl ~ |
share[Region, Sector] = 0.2, 0.8; 0.5, 0.5; 0.9, 0.1 ~ Dmnl ~ |
growth[Region] = a * 0.01 * base[Region] ~ 1/Month ~ |
output[Region, Sector] = INTEG(growth[Region] * output[Region, Sector] + share[Region, Sector] * SIN(Time),
    base[Region] * share[Region, Sector]) ~ Dmnl ~ |
total = SUM(output[Region!, Sector!]) ~ Dmnl ~ |
by region[Region] = SUM(output[Region, Sector!]) ~ Dmnl ~ |
biggest = VMAX(output[Region!, Sector!]) ~ Dmnl ~ |
smallest[Sector] = VMIN(output[Region!, Sector]) ~ Dmnl ~ |
product = PROD(base[Region!]) ~ Dmnl ~ |
south east farm[South East] = output[South East, farm] ~ Dmnl ~ |
transposed[Sector, Region] = output[Region, Sector] * base[Region] ~ Dmnl ~ |
smoothed[Region] = SMOOTH(by region[Region], c) ~ Dmnl ~ |
delayed[Region] = DELAY3(by region[Region], c) ~ Dmnl ~ |
trend by region[Region] = TREND(by region[Region], c, 0) ~ Dmnl ~ |
element wise[north] = a ~ Dmnl ~ |
element wise[South East] = by region[South East] / a ~ Dmnl ~ |
except[Region] :EXCEPT: [east] = total / 3 ~ Dmnl ~ |
except[east] = -1 ~ Dmnl ~ |
position[Region] = Region * a ~ Dmnl ~ a subscript used as a number |
weights[Region]([(0,0)-(10,10)],(0,1),(10,2)) ~ Dmnl ~ |
weighted[Region] = weights[Region](Time) * base[Region] ~ Dmnl ~ |
""" + CONTROL
