import { assertEquals } from "../../tests/assert.ts";
import { ExporterState } from "./exporter_state.ts";

Deno.test("ExporterState tells its listeners of each publish and of withdrawn snapshots", () => {
  const state = new ExporterState(["a", "b"]);
  const heard: string[] = [];
  state.onChange(() => heard.push(state.clusters().map((status) => status.clusterName).join()));
  state.publish({ clusterName: "b", iterationErrorsTotal: 1 });
  state.withdrawSnapshots();
  assertEquals(heard, ["a,b", "a,b"]);
  assertEquals(state.clusters()[1].iterationErrorsTotal, 1);
});
