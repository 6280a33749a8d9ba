/** Insight: pre-aggregated counts, public statistics with suppression, and the partner dashboard. */
export { countChangeStatements, ensureCounts, rebuildCounts } from './counts.ts';
export { completeMonths, DATA_DICTIONARY, monthLabel, monthlyTotals, publicStatistics, statisticsCsvRows, statisticsRows, type MonthStatistics, type PublishedTable } from './statistics.ts';
export { cellText } from './suppression.ts';
