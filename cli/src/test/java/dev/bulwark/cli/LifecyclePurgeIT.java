package dev.bulwark.cli;

import static dev.bulwark.cli.KeyFixture.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LifecyclePurgeIT {

  @Test
  void dryRunThenRun_againstPostgres() throws Exception {
    try (PgSchema pg = new PgSchema()) {
      pg.execInSchema("CREATE TABLE notes (id bigint PRIMARY KEY, body text, deleted_at timestamptz, purge_after timestamptz);"
          + "CREATE INDEX notes_purge ON notes (purge_after) WHERE purge_after IS NOT NULL;"
          + "INSERT INTO notes SELECT g, 'note ' || g, now() - interval '40 days', now() - interval '10 days'"
          + " FROM generate_series(1, 7) g;"
          + "INSERT INTO notes SELECT g, 'note ' || g, null, now() + interval '20 days' FROM generate_series(8, 10) g;"
          + "INSERT INTO notes SELECT g, 'note ' || g, null, null FROM generate_series(11, 12) g");
      String[] base = concat(new String[] {"lifecycle", "purge"}, concat(pg.cliArgs(), "--table", "notes=notes",
          "--retention", "notes=P30D"));

      Cli.Result before = Cli.run(Environment.system(), concat(base, "--dry-run"));
      assertEquals(ExitCode.IO_OR_CONFIG, before.code(), before.all());
      assertTrue(before.err().contains("lifecycle init"), before.err());
      Cli.Result init = Cli.run(Environment.system(), concat(new String[] {"lifecycle", "init"}, pg.cliArgs()));
      assertEquals(ExitCode.OK, init.code(), init.all());
      assertTrue(init.out().contains("bulwark_lifecycle_evidence"), init.out());
      assertEquals(ExitCode.OK, Cli.run(Environment.system(), concat(new String[] {"lifecycle", "init"}, pg.cliArgs()))
          .code(), "init is idempotent");

      Cli.Result dry = Cli.run(Environment.system(), concat(base, "--dry-run", "--json"));
      assertEquals(ExitCode.OK, dry.code(), dry.all());
      JsonNode d = new ObjectMapper().readTree(dry.out());
      assertEquals(7, d.get("total").asLong());
      assertEquals(7, d.get("sample").size());
      assertEquals(12, pg.count("SELECT count(*) FROM notes"));

      Cli.Result run = Cli.run(Environment.system(), concat(base, "--run"));
      assertEquals(ExitCode.OK, run.code(), run.all());
      assertTrue(run.out().contains("PURGED") && run.out().contains("notes: 7"), run.out());
      assertEquals(5, pg.count("SELECT count(*) FROM notes"));
      assertEquals(0, pg.count("SELECT count(*) FROM notes WHERE id <= 7"));
      assertTrue(pg.count("SELECT count(*) FROM bulwark_lifecycle_evidence") >= 1);
    }
  }

  @Test
  void missingTableOrColumn_isAConfigError_listingTheProblem() throws Exception {
    try (PgSchema pg = new PgSchema()) {
      pg.execInSchema("CREATE TABLE notes (id bigint PRIMARY KEY, deleted_at timestamptz)");
      Cli.Result r = Cli.run(Environment.system(), concat(new String[] {"lifecycle", "purge", "--dry-run"},
          concat(pg.cliArgs(), "--table", "notes=notes", "--table", "files=files")));
      assertEquals(ExitCode.IO_OR_CONFIG, r.code(), r.all());
      assertTrue(r.err().contains("purge_after") && r.err().contains("files"), r.err());
    }
  }
}
