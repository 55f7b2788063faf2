/**
 * The lag series under the names and labels of the exporters users switch from (the tables are
 * in compat_metrics.ts): the families of each scheme asked for, in the one metric model.
 */
import { COMPAT_METRICS, type CompatScheme } from "./compat_metrics.ts";
import type { MetricFamily } from "./metric_family.ts";

export { COMPAT_METRICS, type CompatScheme } from "./compat_metrics.ts";

/** The families of `schemes`, in the order asked. */
export function compatFamilies(schemes: readonly CompatScheme[]): MetricFamily[] {
  return schemes.flatMap((scheme) => COMPAT_METRICS[scheme]);
}
