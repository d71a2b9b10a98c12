/**
 * Registry statistics (pure): computed from the log by the replay, so anyone holding the
 * log recomputes them. The API serves them (`/v1/statistics`, `/statistics`), the PDF
 * report draws them (./pdf/).
 */
export { computeStatistics, STATISTICS_FORMAT } from './statistics.ts';
export type { FlowFigures, Statistics, StatisticsOptions } from './statistics.ts';
export { INDUSTRY_SECTIONS, PROVINCES, provinceOfUscc } from './regions.ts';
