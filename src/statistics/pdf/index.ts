/** PDF adapter of the statistics: the signed report for a period. */
export { renderStatisticsReportPdf } from './report.ts';
export type { StatisticsReportInput } from './report.ts';
