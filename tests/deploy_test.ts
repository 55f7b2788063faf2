/**
 * The shipping artefacts, checked with what this machine has: the systemd unit (systemd-analyze),
 * the Helm chart (helm lint/template, and its config through --check-config), the Grafana
 * dashboard (every metric it queries is exported), the workflows, the Dockerfile and version
 * stamping (the flags and permissions of the compiled binary are the ones the tests use).
 */
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { isRuntimeFlag, runCli, startTaskRuntimeFlags, writeConfig } from "./harness/exporter.ts";
import { ExporterState } from "../src/collect/exporter_state.ts";
import { createExporterMetrics } from "../src/export/metrics_registry.ts";
import { LAG_METRICS } from "../src/export/lag_series.ts";
import { stateFamilies } from "../src/export/state_families.ts";
import { prometheusTool } from "./harness/prometheus.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const decoder = new TextDecoder();

async function run(command: string, args: string[], cwd = ROOT) {
  const output = await new Deno.Command(command, { args, cwd, stdin: "null" }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

function helmBinary(): string {
  for (const candidate of [`${ROOT}.cache/tools/helm`, "/usr/local/bin/helm", "/usr/bin/helm"]) {
    try {
      if (Deno.statSync(candidate).isFile) return candidate;
    } catch {
      // not there
    }
  }
  throw new Error("helm not found: scripts/bootstrap_test_tools.sh builds it into .cache/tools");
}

Deno.test("systemd unit: systemd-analyze verify passes and the exposure level is low", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // verify insists that ExecStart exists: point it at a stand-in executable.
    const stub = `${dir}/kafka-lag-deno`;
    await Deno.writeTextFile(stub, "#!/bin/sh\nexit 0\n");
    await Deno.chmod(stub, 0o755);
    const unit = Deno.readTextFileSync(`${ROOT}deploy/systemd/kafka-lag-deno.service`)
      .replaceAll("/usr/local/bin/kafka-lag-deno", stub);
    await Deno.writeTextFile(`${dir}/kafka-lag-deno.service`, unit);
    const verify = await run("systemd-analyze", ["verify", `${dir}/kafka-lag-deno.service`]);
    assertEquals([verify.code, verify.stderr.trim()], [0, ""]);
    for (
      const directive of [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "Restart=on-failure",
        "LoadCredential=",
      ]
    ) {
      assertStringIncludes(unit, directive);
    }
    const security = await run("systemd-analyze", [
      "security",
      "--offline=true",
      `${dir}/kafka-lag-deno.service`,
    ]);
    const exposure = Number(security.stdout.match(/Overall exposure level for \S+: ([\d.]+)/)?.[1]);
    assert(exposure <= 2.0, `exposure ${exposure}:\n${security.stdout}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Helm chart: lints, renders replicas sharing Redis with probes, and its config is valid", async (t) => {
  const helm = helmBinary();
  const chart = `${ROOT}deploy/helm/kafka-lag-deno`;
  await t.step("helm lint", async () => {
    const lint = await run(helm, ["lint", chart]);
    assertEquals(lint.code, 0, lint.stdout + lint.stderr);
  });
  await t.step("helm template", async () => {
    const rendered = await run(helm, [
      "template",
      "rel",
      chart,
      "--set",
      "replicaCount=3",
      "--set",
      "serviceMonitor.enabled=true",
    ]);
    assertEquals(rendered.code, 0, rendered.stderr);
    const docs = parseAllDocuments(rendered.stdout).map((doc) => doc.toJS()).filter(Boolean);
    const kinds = docs.map((doc) => doc.kind).sort();
    assertEquals(kinds, ["Deployment", "Secret", "Service", "ServiceMonitor"]);
    const deployment = docs.find((doc) => doc.kind === "Deployment");
    assertEquals(deployment.spec.replicas, 3);
    const [container] = deployment.spec.template.spec.containers;
    assertEquals(container.livenessProbe.httpGet.path, "/livez");
    assertEquals(container.readinessProbe.httpGet.path, "/readyz");
    assertEquals(container.securityContext.readOnlyRootFilesystem, true);
    assertEquals(deployment.spec.template.spec.securityContext.runAsNonRoot, true);
    assertEquals(container.ports.map((port: { containerPort: number }) => port.containerPort), [
      9090,
      8080,
    ]);
    const secret = docs.find((doc) => doc.kind === "Secret");
    const configPath = await writeConfig(parseYaml(secret.stringData["config.yaml"]));
    const check = await runCli(["--check-config", "-c", configPath]);
    assertEquals(check.code, 0, check.stderr);
    await Deno.remove(configPath);
  });
  await t.step(
    "the PrometheusRule (opt-in) carries exactly the shipped alerting rules",
    async () => {
      const shipped = Deno.readTextFileSync(`${ROOT}deploy/prometheus/kafka-lag-deno-rules.yaml`);
      assertEquals(
        Deno.readTextFileSync(`${chart}/files/kafka-lag-deno-rules.yaml`),
        shipped,
        "the chart's copy must equal deploy/prometheus/kafka-lag-deno-rules.yaml",
      );
      const off = await run(helm, ["template", "rel", chart]);
      assert(!off.stdout.includes("kind: PrometheusRule"), "off by default");
      const rendered = await run(helm, [
        "template",
        "rel",
        chart,
        "--set",
        "prometheusRule.enabled=true",
        "--set",
        "prometheusRule.labels.release=kube-prometheus",
      ]);
      assertEquals(rendered.code, 0, rendered.stderr);
      const rule = parseAllDocuments(rendered.stdout).map((doc) => doc.toJS())
        .find((doc) => doc?.kind === "PrometheusRule");
      assertEquals(rule.metadata.labels.release, "kube-prometheus");
      assertEquals(rule.spec.groups, parseYaml(shipped).groups);
    },
  );
  await t.step("several replicas without Redis are refused", async () => {
    const rendered = await run(helm, [
      "template",
      "rel",
      chart,
      "--set",
      "config.storage.type=memory",
    ]);
    assert(rendered.code !== 0);
    assertStringIncludes(rendered.stderr, "replicaCount > 1 needs config.storage.type: redis");
    const single = await run(helm, [
      "template",
      "rel",
      chart,
      "--set",
      "config.storage.type=memory",
      "--set",
      "replicaCount=1",
    ]);
    assertEquals(single.code, 0, single.stderr);
  });
});

Deno.test("alerting rules: promtool checks them and every rule's unit tests pass", async () => {
  const dir = `${ROOT}deploy/prometheus`;
  const promtool = prometheusTool("promtool"); // Prometheus 3's
  for (const [verb, file] of [["check", "rules.yaml"], ["test", "rules.test.yaml"]]) {
    const result = await run(promtool, [verb, "rules", `${dir}/kafka-lag-deno-${file}`]);
    assertEquals(result.code, 0, result.stdout + result.stderr);
  }
  // Every alert has at least one test case.
  const alerts = [
    ...Deno.readTextFileSync(`${dir}/kafka-lag-deno-rules.yaml`)
      .matchAll(/- alert: (\w+)/g),
  ].map((match) => match[1]);
  const tests = Deno.readTextFileSync(`${dir}/kafka-lag-deno-rules.test.yaml`);
  for (const alert of alerts) assertStringIncludes(tests, `alertname: ${alert}`);
  // The rules query metrics the exporter exports.
  const state = new ExporterState(["k"]);
  const metrics = createExporterMetrics(
    { clusters: () => state.clusters(), iterationSeconds: () => 1, liveInstances: () => 1 },
    { labels: {}, granularity: "partition", version: "0", commit: "x" },
  );
  const exported = await new Response(await metrics.render()).text();
  for (
    const name of Deno.readTextFileSync(`${dir}/kafka-lag-deno-rules.yaml`).match(/kafka_\w+/g)!
  ) {
    assertStringIncludes(exported, `# TYPE ${name} `);
  }
});

Deno.test("Grafana dashboard: valid JSON, and every metric it queries is exported", () => {
  const dashboard = JSON.parse(Deno.readTextFileSync(`${ROOT}deploy/grafana/kafka-lag-deno.json`));
  const state = new ExporterState(["k"]);
  const metrics = createExporterMetrics(
    { clusters: () => state.clusters(), iterationSeconds: () => 1, liveInstances: () => 1 },
    {
      labels: {},
      granularity: "partition",
      version: "0",
      commit: "0",
      memoryUsage: () => ({ rss: 1, heapUsed: 1 }),
    },
  );
  // Families walked from the state (lag series, the exporter's own gauges), and prom-client's.
  const own = stateFamilies({ version: "0", commit: "0", denoVersion: "0" });
  const exported = new Set<string>([...LAG_METRICS, ...own].map((metric) => metric.name));
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const name = (metric as unknown as { name: string }).name;
    exported.add(name);
    for (const suffix of ["_bucket", "_sum", "_count"]) exported.add(name + suffix);
  }
  const queried = new Set<string>();
  const expressions: string[] = [
    ...dashboard.panels.flatMap((panel: { targets: Array<{ expr: string }> }) =>
      panel.targets.map((target) => target.expr)
    ),
    ...dashboard.templating.list.map((variable: { query?: string }) => variable.query ?? ""),
  ];
  for (const expression of expressions) {
    for (const name of expression.match(/\bkafka_[a-z_]+/g) ?? []) queried.add(name);
  }
  assert(queried.size >= 12, `only ${queried.size} metrics queried`);
  assertEquals([...queried].filter((name) => !exported.has(name)), []);
});

Deno.test("workflows: CI runs the README's test command; release builds binaries, checksums and a multi-arch image", () => {
  const readme = Deno.readTextFileSync(`${ROOT}README.md`);
  const testCommand = "./scripts/test.sh";
  assertStringIncludes(readme, `${testCommand}     # the whole test suite`);
  assertStringIncludes(Deno.readTextFileSync(`${ROOT}.ci/run`), `\n${testCommand}\n`);
  const ci = parseYaml(Deno.readTextFileSync(`${ROOT}.github/workflows/ci.yml`));
  const ciRuns = ci.jobs.test.steps.map((step: { run?: string }) => step.run).filter(Boolean);
  assertEquals(ciRuns, [testCommand, "./scripts/test_kafka39.sh"]);
  assertStringIncludes(Deno.readTextFileSync(`${ROOT}.ci/run`), "\n./scripts/test_kafka39.sh\n");
  const release = parseYaml(Deno.readTextFileSync(`${ROOT}.github/workflows/release.yml`));
  assertEquals(release.on.push.tags, ["v*"]);
  const binarySteps = release.jobs.binaries.steps.map((step: { run?: string }) => step.run ?? "")
    .join("\n");
  for (const expected of ["stamp_version.sh", "deno task compile", "sha256sum"]) {
    assertStringIncludes(binarySteps, expected);
  }
  const image = release.jobs.image.steps.find((step: { uses?: string }) =>
    step.uses?.startsWith("docker/build-push-action")
  );
  assertEquals(image.with.platforms, "linux/amd64,linux/arm64");
});

Deno.test("Dockerfile and compile tasks give the binary exactly the tested runtime flags", () => {
  const dockerfile = Deno.readTextFileSync(`${ROOT}Dockerfile`);
  const compileLine = dockerfile.split("\n").find((line) => line.includes("deno compile"))!;
  const flags = compileLine.split(/\s+/).filter(isRuntimeFlag);
  assertEquals(flags, startTaskRuntimeFlags());
  for (
    const expected of [
      "FROM gcr.io/distroless/",
      "USER nonroot",
      "EXPOSE 9090 8080",
      "org.opencontainers.image.title",
    ]
  ) {
    assertStringIncludes(dockerfile, expected);
  }
});

/** Repository paths of the modules the code starts as workers (`new Worker(new URL(...))`). */
function workerModules(): string[] {
  const found = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of Deno.readDirSync(`${ROOT}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) visit(path);
      else if (path.endsWith(".ts") && !path.endsWith("_test.ts")) {
        const text = Deno.readTextFileSync(`${ROOT}${path}`);
        for (const match of text.matchAll(/new Worker\(new URL\("([^"]+)", import\.meta\.url\)/g)) {
          found.add(new URL(match[1], `file:///${path}`).pathname.slice(1));
        }
      }
    }
  };
  visit("src");
  return [...found];
}

Deno.test("the compiled binary embeds every worker module the code starts", () => {
  const workers = workerModules();
  assertEquals(workers, ["src/config/config_worker.ts"]);
  const tasks = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).tasks;
  const dockerfile = Deno.readTextFileSync(`${ROOT}Dockerfile`).replaceAll("\\\n", " ");
  const dockerCompile = dockerfile.split("\n").find((line) => line.includes("deno compile"))!;
  for (
    const [name, command] of [
      ...["compile:x64", "compile:arm64"].map((task) => [task, tasks[task]]),
      ["Dockerfile", dockerCompile],
    ]
  ) {
    const words: string[] = command.split(/\s+/);
    for (const worker of workers) {
      assert(
        words.some((word, index) => word === "--include" && words[index + 1] === worker),
        `${name} lacks --include ${worker}`,
      );
    }
  }
});

Deno.test("stamp_version.sh puts version and commit into --version and the build-info metric", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A copy of the sources, stamped the way the release workflow and the Dockerfile stamp them.
    await Deno.mkdir(`${dir}/scripts`);
    for (const path of ["main.ts", "deno.json", "deno.lock", "src", "scripts/stamp_version.sh"]) {
      const copy = await run("cp", ["-r", `${ROOT}${path}`, `${dir}/${path}`]);
      assertEquals(copy.code, 0, copy.stderr);
    }
    const stamp = await run(
      "bash",
      [`${dir}/scripts/stamp_version.sh`, "v1.2.3", "abc1234def"],
      dir,
    );
    assertEquals(stamp.code, 0, stamp.stderr);
    const version = await run(Deno.execPath(), [
      "run",
      ...startTaskRuntimeFlags(),
      "main.ts",
      "--version",
    ], dir);
    assertEquals(version.code, 0, version.stderr);
    assertStringIncludes(version.stdout, "kafka-lag-deno 1.2.3 (commit abc1234def");
    const source = Deno.readTextFileSync(`${dir}/src/version.ts`);
    assertStringIncludes(source, 'COMMIT = "abc1234def"');
    const bad = await run("bash", [`${dir}/scripts/stamp_version.sh`, "latest", "abc1234"], dir);
    assertEquals(bad.code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the demo installs only what Kafka needs; test tools stay with the test command", () => {
  const demo = Deno.readTextFileSync(`${ROOT}scripts/demo.sh`);
  const bootstrap = Deno.readTextFileSync(`${ROOT}scripts/bootstrap.sh`);
  assert(!demo.includes("bootstrap_test_tools"), "demo.sh must not install test tools");
  const installed = [...bootstrap.matchAll(/apt-get install[^\n]*?(\S+) >&2$/gm)].map((m) => m[1]);
  assertEquals(installed, ["maven"]);
  for (const tool of ["redis", "prometheus", "nginx", "helm", "go install"]) {
    assert(!bootstrap.includes(tool), `bootstrap.sh (used by the demo) mentions ${tool}`);
  }
  assertStringIncludes(
    Deno.readTextFileSync(`${ROOT}scripts/test.sh`),
    ". scripts/bootstrap_test_tools.sh",
  );
});
