-- SPDX-License-Identifier: GPL-2.0-or-later
-- Unit tests of bench/paired.lua, the per-round comparisons in
-- bench/RESULTS.md (run with lua5.4, no tracer needed).
local t = dofile((arg[0]:match("^(.*)/") or ".") .. "/../lib/unit.lua")
local eq = t.eq
local paired = dofile((arg[0]:match("^(.*)/") or ".") .. "/../../bench/paired.lua")

eq(paired.median({ 3, 1, 2 }), 2, "median of an odd count")
eq(paired.median({ 4, 1, 3, 2 }), 2.5, "median of an even count")
eq(paired.median({}), nil, "no median of nothing")
local v = { 3, 1, 2 }
paired.median(v)
eq(v[1], 3, "median leaves its list as it was")

-- Two paces: rounds 1-2 fast, 3-4 slow; per round the traced run is 1.1x.
local untraced = { { round = 1, elapsed = 100 }, { round = 2, elapsed = 100 },
                   { round = 3, elapsed = 200 }, { round = 4, elapsed = 200 } }
local traced = { { round = 1, elapsed = 110 }, { round = 2, elapsed = 110 },
                 { round = 3, elapsed = 220 }, { round = 4, elapsed = 220 } }
eq(("%.3f"):format(paired.ratio(traced, untraced)), "1.100", "the ratio within each round")
local gap = { { round = 1, elapsed = 110 }, { round = 5, elapsed = 999 } }
eq(#paired.per_round(gap, untraced), 1, "a round the base lacks is left out")

-- The sign test: P(X >= k), X ~ Binomial(n, 1/2).
eq(paired.sign_test_p(0, 7), 1, "at least none of 7: certain")
eq(paired.sign_test_p(7, 7), 1 / 128, "all 7 of 7")
eq(paired.sign_test_p(6, 7), 8 / 128, "6 or 7 of 7")
eq(("%.4f"):format(paired.sign_test_p(15, 21)), "0.0392", "15 of 21")

local function rows(list)
  local r = {}
  for i, e in ipairs(list) do r[i] = { round = i, elapsed = e } end
  return r
end
local older = rows({ 100, 100, 100, 100, 100, 100, 100 })
local h = paired.head_to_head(rows({ 101, 99, 102, 98, 101, 100, 103 }), older, 0.02)
eq(h.slower, 4, "slower in 4 rounds")
eq(h.level, true, "level: 1.01 at the median, 4 of 7 slower")
h = paired.head_to_head(rows({ 101, 101, 101, 101, 101, 101, 101 }), older, 0.02)
eq(h.level, false, "slower in every one of 7 rounds, however little: not level")
h = paired.head_to_head(rows({ 105, 99, 106, 98, 105, 104, 103 }), older, 0.02)
eq(h.level, false, "1.03 at the median: not level")
h = paired.head_to_head(rows({ 90, 90, 90, 90, 90, 90, 90 }), older, 0.02)
eq(h.level, true, "faster in every round")
eq(h.text, "0.900, slower in 0 of 7 rounds (sign test p 1.00)", "what the report says")
eq(paired.head_to_head({}, older, 0.02), nil, "nothing to compare")

t.done("bench_paired_test")
