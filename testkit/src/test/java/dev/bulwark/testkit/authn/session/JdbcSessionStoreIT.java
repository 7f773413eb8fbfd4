package dev.bulwark.testkit.authn.session;

import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.authn.session.spi.SessionStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testkit.SchemaPerTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The session contract on PostgreSQL, with a second store over another DataSource as the second node. */
class JdbcSessionStoreIT extends SessionStoreContract {

  @RegisterExtension
  final SchemaPerTest db = new SchemaPerTest("authn_session");

  @Override
  protected SessionStore createStore(FakeClock clock) {
    return new JdbcSessionStore(db.dataSource());
  }

  @Override
  protected SessionStore secondNode() {
    return new JdbcSessionStore(db.dataSource());
  }
}
