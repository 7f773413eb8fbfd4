package dev.bulwark.testkit.authn.session;

import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.authn.session.spi.SessionStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import org.junit.jupiter.api.AfterEach;

/** The session contract on PostgreSQL, with a second store over another DataSource as the second node. */
class JdbcSessionStoreIT extends SessionStoreContract {

  private PostgresSchema db;

  @Override
  protected SessionStore createStore(FakeClock clock) {
    db = PostgresSchema.create("authn_session");
    return new JdbcSessionStore(db.dataSource());
  }

  @Override
  protected SessionStore secondNode() {
    return new JdbcSessionStore(db.dataSource());
  }

  @AfterEach
  void dropSchema() throws Exception {
    db.close();
  }
}
