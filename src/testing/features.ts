/** What the emulated server version understands: Zizq 0.7 added budgets and cron group time zones. */
export interface Features {
  budgets: boolean;
  groupTimezone: boolean;
}

export const DEFAULT_VERSION = "0.7.0";

/** The features of a version string such as `0.6.1` or `0.7.0` (anything unparsable counts as newest). */
export function featuresOf(version: string): Features {
  const match = /^(\d+)\.(\d+)/.exec(version);
  const at07 = !match || Number(match[1]) > 0 || Number(match[2]) >= 7;
  return { budgets: at07, groupTimezone: at07 };
}
