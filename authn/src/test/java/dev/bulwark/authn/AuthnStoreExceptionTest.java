package dev.bulwark.authn;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.grant.jdbc.JdbcGrantStore;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.authn.totp.jdbc.JdbcUsedTotpStepStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcChallengeStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcCredentialStore;
import dev.bulwark.common.StoreException;
import dev.bulwark.testing.FakeClock;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A database that does not answer is an infrastructure failure: every authn JDBC store reports it
 * as {@link AuthnStoreException} (a {@link StoreException}) with the driver's exception attached,
 * whether it only checks its tables ({@code createSchema(false)}) or would create them.
 */
class AuthnStoreExceptionTest {

  private static DataSource down() {
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          if (method.getName().equals("getConnection")) {
            throw new SQLException("connection refused", "08001");
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void everyJdbcStore_reportsAnUnreachableDatabase_asAuthnStoreException() {
    DataSource ds = down();
    FakeClock clock = FakeClock.atDefaultEpoch();
    List<Supplier<Object>> builds = List.of(
        () -> new JdbcAttemptStore(ds, clock),
        () -> JdbcAttemptStore.builder(ds, clock).createSchema(false).build(),
        () -> new JdbcUsedTotpStepStore(ds, clock),
        () -> JdbcUsedTotpStepStore.builder(ds, clock).createSchema(false).build(),
        () -> new JdbcSessionStore(ds),
        () -> JdbcSessionStore.builder(ds).createSchema(false).build(),
        () -> new JdbcCredentialStore(ds),
        () -> JdbcCredentialStore.builder(ds).createSchema(false).build(),
        () -> new JdbcChallengeStore(ds),
        () -> JdbcChallengeStore.builder(ds).createSchema(false).build(),
        () -> new JdbcGrantStore(ds),
        () -> JdbcGrantStore.builder(ds).createSchema(false).build());
    for (Supplier<Object> build : builds) {
      AuthnStoreException e = assertThrows(AuthnStoreException.class, build::get);
      assertInstanceOf(StoreException.class, e);
      assertTrue(causedBy(e), "the driver's exception is attached: " + e);
    }
  }

  private static boolean causedBy(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException sql && "08001".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }
}
