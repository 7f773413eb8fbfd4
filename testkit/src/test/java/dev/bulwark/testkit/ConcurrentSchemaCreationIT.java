package dev.bulwark.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.audit.jdbc.JdbcAuditStore;
import dev.bulwark.audit.jdbc.JdbcCheckpointAnchor;
import dev.bulwark.authn.grant.jdbc.JdbcGrantStore;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.authn.totp.jdbc.JdbcUsedTotpStepStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcChallengeStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcCredentialStore;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.jdbc.JdbcKeyringStore;
import dev.bulwark.testing.pg.PostgresSchema;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Every JDBC store creates its tables on first use, and a service's nodes start at the same time:
 * eight "nodes" (eight data sources) construct each store at the same instant on an empty schema,
 * several rounds. PostgreSQL's {@code CREATE TABLE IF NOT EXISTS} alone fails here (two sessions
 * race in the catalog on {@code pg_type}); every store must come up on every node.
 */
class ConcurrentSchemaCreationIT {

  static final int NODES = 8;
  static final int ROUNDS = 3;

  @Test
  void eightNodesCreatingEveryStoreAtOnce_allComeUp() throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    com.google.crypto.tink.Aead master = KekProviders.masterKey(key);
    Map<String, StoreFactory> stores = new LinkedHashMap<>();
    stores.put("lockout", ds -> new JdbcAttemptStore(ds, Clock.systemUTC()));
    stores.put("totp steps", ds -> new JdbcUsedTotpStepStore(ds, Clock.systemUTC()));
    stores.put("sessions", JdbcSessionStore::new);
    stores.put("webauthn credentials", JdbcCredentialStore::new);
    stores.put("webauthn ceremonies", JdbcChallengeStore::new);
    stores.put("grants", JdbcGrantStore::new);
    stores.put("audit log", ds -> new JdbcAuditStore(ds, "shared"));
    stores.put("audit anchor", JdbcCheckpointAnchor::new);
    stores.put("keyring", ds -> new JdbcKeyringStore(ds, master));

    ExecutorService pool = Executors.newFixedThreadPool(NODES);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        try (PostgresSchema db = PostgresSchema.create("schema_race")) {
          for (Map.Entry<String, StoreFactory> store : stores.entrySet()) {
            CyclicBarrier start = new CyclicBarrier(NODES);
            List<Future<Object>> nodes = new ArrayList<>();
            for (int n = 0; n < NODES; n++) {
              DataSource ds = db.dataSource();
              Callable<Object> open = () -> {
                start.await(30, TimeUnit.SECONDS);
                return store.getValue().open(ds);
              };
              nodes.add(pool.submit(open));
            }
            for (Future<Object> node : nodes) {
              node.get(60, TimeUnit.SECONDS); // throws with the store's error if a node failed
            }
          }
          // The audit log was initialised once: one head row, one open segment.
          assertEquals(1, count(db.dataSource(), "SELECT count(*) FROM bulwark_audit_log"));
          assertEquals(1, count(db.dataSource(), "SELECT count(*) FROM bulwark_audit_segment"));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static long count(DataSource ds, String sql) throws Exception {
    try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(sql); ResultSet rs = p.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @FunctionalInterface
  interface StoreFactory {
    Object open(DataSource ds) throws Exception;
  }
}
