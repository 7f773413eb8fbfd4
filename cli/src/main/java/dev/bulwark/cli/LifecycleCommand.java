package dev.bulwark.cli;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.PurgeRefusedException;
import dev.bulwark.lifecycle.PurgeReport;
import dev.bulwark.lifecycle.PurgeRunner;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore;
import dev.bulwark.lifecycle.jdbc.TableMapping;
import dev.bulwark.lifecycle.spi.RecordState;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bulwark lifecycle}: schema set-up, purge runs, watermark reset. */
@Command(name = "lifecycle", mixinStandardHelpOptions = true,
    description = "Retention and soft-delete operations: create the lifecycle tables, see what a purge would remove,"
        + " run it, and reset the purge watermark after a wrong clock.",
    subcommands = {LifecycleCommand.Init.class, LifecycleCommand.Purge.class, LifecycleCommand.ResetWatermark.class})
final class LifecycleCommand extends CommandGroup {

  /** {@code lifecycle init}: the explicit schema step, run by a role that may create tables. */
  @Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Create the lifecycle module's own tables (bulwark_lifecycle_*) in the schema, where missing.",
          "Run it once per deployment and after an upgrade, as a role allowed to create tables; the runtime role"
              + " then needs only the grants listed in the lifecycle README (no ownership, no DROP or TRUNCATE)."},
      footerHeading = "%nExamples:%n",
      footer = {"  bulwark lifecycle init --jdbc-url jdbc:postgresql://db/app --db-user bulwark_owner"})
  static final class Init extends Subcommand {
    @Mixin
    Database.Options db;

    @Override
    public Integer call() {
      Environment env = env();
      JdbcLifecycleStore.createSchema(env.dataSources().open(db));
      PrintWriter out = out();
      out.println("lifecycle tables created or already present: " + String.join(", ", JdbcLifecycleStore.tableNames()));
      out.flush();
      return ExitCode.OK;
    }
  }

  /** {@code lifecycle reset-watermark}: an operator's attributed recovery from a wrong clock. */
  @Command(name = "reset-watermark", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Move the purge watermark back to now, after a run under a wrong clock left every later run"
          + " refused (CLOCK_BEHIND_LAST_RUN).",
          "The clock must agree with the database's. The reset is recorded as evidence with who and why;"
              + " nothing is deleted."},
      footerHeading = "%nExamples:%n",
      footer = {"  bulwark lifecycle reset-watermark --jdbc-url jdbc:postgresql://db/app --table notes=notes"
          + " --operator alice --reason 'clock was 10 years ahead on node 3'"})
  static final class ResetWatermark extends Subcommand {
    @Mixin
    Database.Options db;

    @Option(names = "--table", required = true, paramLabel = "CLASS=TABLE[:ID,DELETED_AT,PURGE_AFTER]",
        description = "Map a data class to a table, as for purge. Repeatable.")
    List<String> tables = new ArrayList<>();

    @Option(names = "--retention", paramLabel = "CLASS=PERIOD", description = "Retention of a class, as for purge.")
    List<String> retention = new ArrayList<>();

    @Option(names = "--operator", required = true, paramLabel = "NAME", description = "Who resets (recorded).")
    String operator;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (recorded).")
    String reason;

    @Override
    public Integer call() {
      if (operator.isBlank() || reason.isBlank()) {
        throw new CliException(ExitCode.USAGE, "--operator and --reason must not be blank");
      }
      List<TableMapping> mappings = Purge.mappings(tables);
      RetentionPolicies policies = Purge.policies(retention);
      Environment env = env();
      LifecycleStore store = env.lifecycleStores().open(env, db, mappings);
      Lifecycle lifecycle = Lifecycle.builder(store).policies(policies).clock(env.clock()).build();
      LifecycleStore.Watermark before;
      try {
        before = PurgeRunner.builder(lifecycle).build().resetWatermark(Attribution.of(operator, reason));
      } catch (PurgeRefusedException e) {
        PrintWriter err = err();
        err.println("bulwark: watermark reset refused: " + e.getMessage());
        err.flush();
        return ExitCode.REFUSED;
      }
      PrintWriter out = out();
      out.println("watermark reset from " + before.lastRunStartedAt().map(Object::toString).orElse("none") + " to "
          + store.watermark().lastRunStartedAt().map(Object::toString).orElse("none") + " by " + operator
          + " (recorded as evidence)");
      out.flush();
      return ExitCode.OK;
    }
  }

  /** {@code lifecycle purge}. */
  @Command(name = "purge", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Purge records whose deadline has passed, in bounded batches with deletion evidence, behind "
          + "the safety rails (clock behind the last run or far ahead, unusual volume).",
          "--dry-run lists what is due (per class, with a sample and each record's deadline) and the rail a run "
              + "would trip; --run purges. When a rail stops a run (exit 5), an operator may lift it for one run "
              + "with --confirm --operator NAME --reason TEXT --max-rows N, which is recorded."},
      footerHeading = "%nExamples:%n",
      footer = {"  bulwark lifecycle purge --dry-run --jdbc-url jdbc:postgresql://db/app --table notes=notes --retention notes=P30D",
          "  bulwark lifecycle purge --run --jdbc-url jdbc:postgresql://db/app --table notes=notes --retention notes=P30D",
          "  bulwark lifecycle purge --run ... --confirm --operator alice --reason 'backlog after outage' --max-rows 50000"})
  static final class Purge extends Subcommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    static final class Mode {
      @Option(names = "--dry-run", required = true, description = "Show what would be purged; delete nothing.")
      boolean dryRun;

      @Option(names = "--run", required = true, description = "Purge what is due.")
      boolean run;
    }

    @Mixin
    Database.Options db;

    @Option(names = "--table", required = true, paramLabel = "CLASS=TABLE[:ID,DELETED_AT,PURGE_AFTER]",
        description = "Map a data class to a table (columns default to id, deleted_at, purge_after). Repeatable.")
    List<String> tables = new ArrayList<>();

    @Option(names = "--retention", paramLabel = "CLASS=PERIOD",
        description = "Retention of a class as an ISO-8601 period (e.g. notes=P30D). Defaults: audit-log=P90D, "
            + "session=P30D. Repeatable.")
    List<String> retention = new ArrayList<>();

    @Option(names = "--as-of", paramLabel = "INSTANT",
        description = "With --dry-run: judge what is due at this time instead of now (e.g. 2026-12-01T00:00:00Z).")
    Instant asOf;

    @Option(names = "--sample", paramLabel = "N", defaultValue = "20",
        description = "With --dry-run: due records to list per class (default: ${DEFAULT-VALUE}).")
    int sample;

    @Option(names = "--batch-size", paramLabel = "ROWS", defaultValue = "1000",
        description = "Rows per purge transaction (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--confirm", description = "Lift the safety rails for this run (needs --operator, --reason, --max-rows).")
    boolean confirm;

    @Option(names = "--operator", paramLabel = "NAME", description = "Who confirms (recorded in the evidence).")
    String operator;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why the rails are lifted (recorded).")
    String reason;

    @Option(names = "--max-rows", paramLabel = "N", description = "The most rows a confirmed run may purge.")
    Long maxRows;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
      List<TableMapping> mappings = mappings();
      RetentionPolicies policies = policies();
      PurgeRunner.Confirmation confirmation = confirmation();
      if (asOf != null && !mode.dryRun) {
        throw new CliException(ExitCode.USAGE, "--as-of is only for --dry-run (a real run always uses the clock)");
      }
      if (!mode.dryRun && sample != 20) {
        throw new CliException(ExitCode.USAGE, "--sample is only for --dry-run");
      }
      if (sample < 0) {
        throw new CliException(ExitCode.USAGE, "--sample must be >= 0");
      }
      Environment env = env();
      Clock clock = asOf != null ? Clock.fixed(asOf, java.time.ZoneOffset.UTC) : env.clock();
      LifecycleStore store = env.lifecycleStores().open(env, db, mappings);
      Lifecycle lifecycle = Lifecycle.builder(store).policies(policies).clock(clock).batchSize(batchSize).build();
      PurgeRunner runner = PurgeRunner.builder(lifecycle).sampleSize(Math.min(sample, 10_000))
          .checkStoreClock(asOf == null).build();
      PrintWriter out = out();
      PurgeReport report;
      if (mode.dryRun) {
        report = runner.dryRun();
      } else {
        try {
          report = confirmation == null ? runner.run() : runner.run(confirmation);
        } catch (PurgeRefusedException e) {
          PrintWriter err = err();
          err.println("bulwark: purge refused by safety rail " + e.rail() + ": " + e.getMessage());
          err.println("Nothing was deleted. Check the clock and the dry run (--dry-run); to proceed anyway add "
              + "--confirm --operator NAME --reason TEXT --max-rows N");
          err.flush();
          return ExitCode.REFUSED;
        }
      }
      if (json) {
        out.println(Json.write(toJson(report, policies)));
      } else {
        print(out, report, policies);
      }
      out.flush();
      return ExitCode.OK;
    }

    private PurgeRunner.Confirmation confirmation() {
      if (!confirm) {
        if (operator != null || reason != null || maxRows != null) {
          throw new CliException(ExitCode.USAGE, "--operator, --reason and --max-rows go with --confirm");
        }
        return null;
      }
      if (mode.dryRun) {
        throw new CliException(ExitCode.USAGE, "--confirm is for --run");
      }
      if (operator == null || operator.isBlank() || reason == null || reason.isBlank() || maxRows == null) {
        throw new CliException(ExitCode.USAGE, "--confirm needs --operator NAME, --reason TEXT and --max-rows N");
      }
      if (maxRows < 1) {
        throw new CliException(ExitCode.USAGE, "--max-rows must be >= 1");
      }
      return new PurgeRunner.Confirmation(Attribution.of(operator, reason), maxRows);
    }

    List<TableMapping> mappings() {
      return mappings(tables);
    }

    static List<TableMapping> mappings(List<String> tables) {
      List<TableMapping> out = new ArrayList<>();
      for (String t : tables) {
        int eq = t.indexOf('=');
        if (eq <= 0 || eq == t.length() - 1) {
          throw new CliException(ExitCode.USAGE, "--table is CLASS=TABLE[:ID,DELETED_AT,PURGE_AFTER], not '" + t + "'");
        }
        String cls = t.substring(0, eq);
        String rest = t.substring(eq + 1);
        String[] tc = rest.split(":", 2);
        try {
          TableMapping m = TableMapping.of(DataClass.of(cls), tc[0]);
          if (tc.length == 2) {
            String[] cols = tc[1].split(",", -1);
            if (cols.length != 3) {
              throw new CliException(ExitCode.USAGE, "--table columns are ID,DELETED_AT,PURGE_AFTER in '" + t + "'");
            }
            m = m.withColumns(cols[0], cols[1], cols[2]);
          }
          out.add(m);
        } catch (IllegalArgumentException e) {
          throw new CliException(ExitCode.USAGE, "--table '" + t + "': " + e.getMessage());
        }
      }
      return out;
    }

    RetentionPolicies policies() {
      return policies(retention);
    }

    static RetentionPolicies policies(List<String> retention) {
      List<RetentionPolicy> custom = new ArrayList<>();
      for (String r : retention) {
        int eq = r.indexOf('=');
        if (eq <= 0) {
          throw new CliException(ExitCode.USAGE, "--retention is CLASS=PERIOD, not '" + r + "'");
        }
        try {
          custom.add(RetentionPolicy.purgeAfter(DataClass.of(r.substring(0, eq)), Period.parse(r.substring(eq + 1))));
        } catch (DateTimeParseException | IllegalArgumentException e) {
          throw new CliException(ExitCode.USAGE, "--retention '" + r + "': " + e.getMessage());
        }
      }
      try {
        return RetentionPolicies.defaultsWith(custom.toArray(new RetentionPolicy[0]));
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, e.getMessage());
      }
    }

    private static void print(PrintWriter out, PurgeReport r, RetentionPolicies policies) {
      if (r.dryRun()) {
        out.println("DRY RUN at " + r.at() + ": " + r.total() + " record(s) due; nothing deleted");
      } else {
        out.println("PURGED at " + r.at() + ": " + r.total() + " record(s) in " + r.batches() + " batch(es), run "
            + r.runId());
      }
      r.counts().entrySet().stream().sorted(Map.Entry.comparingByKey((a, b) -> a.name().compareTo(b.name())))
          .forEach(e -> out.println("  " + e.getKey().name() + ": " + e.getValue()
              + " (policy " + policies.find(e.getKey()).map(RetentionPolicy::describe).orElse("?") + ")"));
      if (!r.sample().isEmpty()) {
        out.println("  due records (class, id, deleted at, deadline):");
        for (RecordState s : r.sample()) {
          out.println("    " + s.ref().dataClass().name() + " " + s.ref().id() + " deleted "
              + s.deletedAt().map(Object::toString).orElse("-") + " due "
              + s.purgeAfter().map(Object::toString).orElse("-"));
        }
      }
      if (!r.guardWarning().isEmpty()) {
        out.println("  WARNING: a real run would be refused: " + r.guardWarning());
      }
    }

    private static Map<String, Object> toJson(PurgeReport r, RetentionPolicies policies) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("dryRun", r.dryRun());
      m.put("runId", r.runId());
      m.put("at", r.at().toString());
      m.put("total", r.total());
      Map<String, Object> counts = new LinkedHashMap<>();
      r.counts().forEach((c, n) -> counts.put(c.name(), n));
      m.put("counts", counts);
      m.put("batches", r.batches());
      List<Map<String, Object>> sample = new ArrayList<>();
      for (RecordState s : r.sample()) {
        Map<String, Object> sm = new LinkedHashMap<>();
        sm.put("class", s.ref().dataClass().name());
        sm.put("id", s.ref().id());
        sm.put("deletedAt", s.deletedAt().map(Object::toString).orElse(null));
        sm.put("purgeAfter", s.purgeAfter().map(Object::toString).orElse(null));
        sample.add(sm);
      }
      m.put("sample", sample);
      m.put("guardWarning", r.guardWarning().isEmpty() ? null : r.guardWarning());
      Map<String, String> pol = new LinkedHashMap<>();
      for (DataClass c : r.counts().keySet()) {
        policies.find(c).ifPresent(p -> pol.put(c.name(), p.describe()));
      }
      m.put("policies", pol);
      return m;
    }
  }
}
