package dev.bulwark.spring.security;

import dev.bulwark.authn.session.Sessions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A test class over one {@link WebTestApp} in a real embedded Tomcat, started before its tests and
 * closed after them: the context, the app, its {@link Sessions}, the port and the session cookie's
 * name.
 */
abstract class RunningWebTestApp {

  static final String COOKIE = BulwarkSessionCookie.DEFAULT_NAME;
  static ConfigurableApplicationContext context;
  static WebTestApp app;
  static Sessions sessions;
  static int port;

  @BeforeAll
  static void start() {
    context = WebTestApp.start();
    app = context.getBean(WebTestApp.class);
    sessions = context.getBean(Sessions.class);
    port = WebTestApp.port(context);
  }

  @AfterAll
  static void stop() {
    context.close();
  }
}
