import { z } from "zod/v4";

/**
 * A day a merchant filters by (YYYY-MM-DD, UTC), checked as a real calendar
 * date: the pattern alone lets 2026-13-01 or 2026-02-30 through, and a
 * database refuses the invalid Date they make. Years outside 2000–2100 are
 * refused too: no order of this app is dated there, and 9999-12-31 plus a day
 * is past what some dates can hold.
 */
export const FIRST_DAY = "2000-01-01";
export const LAST_DAY = "2100-12-31";

/** Why `value` is not a day to filter by, in the merchant's words; null when it is one. */
export function calendarDayProblem(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return "Use a date such as 2026-11-25.";
  // Same-length digit strings compare as the dates they spell.
  if (value < FIRST_DAY || value > LAST_DAY) return `Use a date from ${FIRST_DAY} to ${LAST_DAY}.`;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-02-30 over to March 2: a day that is not in the calendar comes back changed.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return `${value} is not a date in the calendar.`;
  return null;
}

export const calendarDay = z.string().superRefine((value, ctx) => {
  const problem = calendarDayProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** A from–to range of days, each optional; `to` must not come before `from`. */
export const DayRangeSchema = z
  .object({ from: calendarDay.optional(), to: calendarDay.optional() })
  .refine((range) => !range.from || !range.to || range.from <= range.to, {
    path: ["to"],
    message: "Pick a To date on or after the From date.",
  });
