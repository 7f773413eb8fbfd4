package dev.bulwark.testkit.sso;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.sso.SsoStoreException;
import dev.bulwark.sso.jdbc.JdbcReplayCache;
import dev.bulwark.sso.spi.ReplayCache;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testkit.SchemaPerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link JdbcReplayCache} on PostgreSQL, each test in a schema of its own: the contract on two instances. */
class JdbcReplayCacheIT extends ReplayCacheContract {

  @RegisterExtension
  final SchemaPerTest db = new SchemaPerTest("sso_it");

  @Override
  protected ReplayCache createStore(FakeClock clock) {
    return JdbcReplayCache.builder(db.dataSource()).clock(clock).build();
  }

  @Override
  protected ReplayCache secondNode() {
    return JdbcReplayCache.builder(db.dataSource()).clock(clock).build();
  }

  @Test
  void createSchemaFalse_runsNoDdl_andChecksTheTable() throws Exception {
    try (PostgresSchema empty = PostgresSchema.create("sso_ddl")) {
      SsoStoreException e = assertThrows(SsoStoreException.class,
          () -> JdbcReplayCache.builder(empty.dataSource()).createSchema(false).build());
      assertTrue(e.getMessage().contains("db/migration/bulwark-sso/"), e.getMessage());
      JdbcReplayCache.create(empty.dataSource());
      JdbcReplayCache checked = JdbcReplayCache.builder(empty.dataSource()).clock(clock).createSchema(false).build();
      assertTrue(checked.firstUse("idp", "y", clock.instant().plusSeconds(5)));
      assertFalse(checked.firstUse("idp", "y", clock.instant().plusSeconds(5)));
    }
  }
}
