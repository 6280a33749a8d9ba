/** Insight: pre-aggregated counts, public statistics with suppression, and the partner dashboard. */
export { countChangeStatements, ensureCounts, rebuildCounts } from './counts.ts';
export { completeMonths, DATA_DICTIONARY, monthLabel, monthlyTotals, publicStatistics, statisticsCsvRows, statisticsRows, type MonthStatistics, type PublishedTable } from './statistics.ts';
export { cellText } from './suppression.ts';
export { addMonths, choosableMonths, defaultPeriod, describeHotSpot, emergingRuleText, formatRate, hotSpotReport, type EmergingHotSpot, type HotSpotQuery, type HotSpotReport, type WardRank } from './hot-spots.ts';
export { SECTION_LABELS, taskingCsvRows, taskingList, type QueueLink, type TaskingLine, type TaskingList } from './tasking.ts';
export { GAP_LABELS, MINIMUM_RESPONSES, perceptionAgainstReality, type Perception, type PerceptionRow } from './perception.ts';
export { countyFigures, dashboardFigures, defaultDashboardPeriod, insightScope, parsePeriod, periodChoices, previousPeriod, timerRate, type CountyColumn, type DashboardFigures, type InsightScope, type Period, type Trio } from './dashboard.ts';
export { DURATION_PRECISION, TIMER_DUE_RULE } from './measures.ts';
export { formatMeasure, judgeTarget, judgeTargets, measureValue, type Rag, type TargetProgress } from './targets.ts';
