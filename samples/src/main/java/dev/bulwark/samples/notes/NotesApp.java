package dev.bulwark.samples.notes;

import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * Bulwark Notes: a small notes web application on Spring Boot that wires every Bulwark module
 * together through bulwark-spring-boot-starter and Spring Security.
 *
 * <pre>
 * java -jar samples/target/bulwark-notes.jar [--port 8080] [--data ./bulwark-notes-data]
 *     [--postgres jdbc:postgresql://127.0.0.1:5432/test [--pg-user bulwark_notes_app] [--pg-owner postgres|none]]
 *     [--spring.profiles.active=postgres] [any --server.*, --spring.*, --bulwark.*, --notes.* property]
 * </pre>
 *
 * <p>The short options are translated into properties ({@code --port} is {@code server.port},
 * {@code --data} {@code notes.data-dir}, {@code --postgres URL} the {@code postgres} profile with
 * {@code spring.datasource.url}, {@code --pg-user} {@code spring.datasource.username},
 * {@code --pg-owner} {@code notes.postgres.owner}). With PostgreSQL the notes live in a table
 * protected by row-level security: the owner role runs the migration, the application role runs
 * every query, and the app refuses to start when that role could bypass row-level security.
 *
 * <p>Binds to 127.0.0.1 only and serves {@code http://localhost:PORT/} (WebAuthn accepts plain
 * HTTP only on {@code localhost}); Actuator (health, Prometheus metrics) listens on its own port,
 * {@code management.server.port} (8081), also on 127.0.0.1.
 */
public final class NotesApp implements AutoCloseable {

  /** Environment variable with the application role's password, when the server asks for one. */
  static final String APP_PASSWORD_ENV = "BULWARK_NOTES_PG_PASSWORD";
  /** Environment variable with the owner role's password, when the server asks for one. */
  static final String OWNER_PASSWORD_ENV = "BULWARK_NOTES_PG_OWNER_PASSWORD";

  /**
   * Command-line options.
   *
   * @param postgresUrl the database, without user or password
   * @param postgresUser the application role every query runs as
   * @param postgresOwner the owner (migration) role that creates the tables, the row-level
   *     security policies and the application role's rights at start; empty when the deployment
   *     runs the migration itself and the app only verifies
   */
  public record Options(int port, Path dataDir, Optional<String> postgresUrl, String postgresUser,
      Optional<String> postgresOwner) {
    public Options {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("--port must be 0..65535");
      }
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(postgresUrl, "postgresUrl");
      if (!JdbcAppStore.validRoleName(postgresUser)) {
        throw new IllegalArgumentException("--pg-user must be a role name of lower-case letters, digits and '_'");
      }
      Objects.requireNonNull(postgresOwner, "postgresOwner");
      if (postgresOwner.isPresent() && !JdbcAppStore.validRoleName(postgresOwner.get())) {
        throw new IllegalArgumentException("--pg-owner must be a role name of lower-case letters, digits and '_', or none");
      }
      postgresUrl.ifPresent(Options::requireNoCredentials);
    }

    /** Defaults: port 8080, data in ./bulwark-notes-data, no PostgreSQL (application role {@value #DEFAULT_APP_ROLE}, owner postgres). */
    public static Options defaults() {
      return new Options(8080, Path.of("bulwark-notes-data"), Optional.empty(), DEFAULT_APP_ROLE, Optional.of("postgres"));
    }

    /** These options as Spring Boot command-line properties. */
    List<String> toArgs() {
      List<String> args = new ArrayList<>(List.of("--server.port=" + port, "--notes.data-dir=" + dataDir));
      postgresUrl.ifPresent(url -> args.addAll(List.of("--spring.profiles.active=postgres",
          "--spring.datasource.url=" + url, "--spring.datasource.username=" + postgresUser,
          "--notes.postgres.owner=" + postgresOwner.orElse("none"))));
      return args;
    }

    /** The application role's default name. */
    public static final String DEFAULT_APP_ROLE = "bulwark_notes_app";

    public Options withPort(int p) {
      return new Options(p, dataDir, postgresUrl, postgresUser, postgresOwner);
    }

    public Options withDataDir(Path d) {
      return new Options(port, d, postgresUrl, postgresUser, postgresOwner);
    }

    public Options withPostgres(String url) {
      return new Options(port, dataDir, Optional.of(url), postgresUser, postgresOwner);
    }

    /** The application role ({@code --pg-user}). */
    public Options withApplicationRole(String role) {
      return new Options(port, dataDir, postgresUrl, role, postgresOwner);
    }

    /** The owner role that runs the migration at start ({@code --pg-owner}); empty: no migration. */
    public Options withOwnerRole(Optional<String> role) {
      return new Options(port, dataDir, postgresUrl, postgresUser, role);
    }

    /** The roles are options of their own, so the URL must not name one (nor a password). */
    private static void requireNoCredentials(String url) {
      org.postgresql.ds.PGSimpleDataSource parsed = new org.postgresql.ds.PGSimpleDataSource();
      try {
        parsed.setURL(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--postgres needs a JDBC URL like jdbc:postgresql://127.0.0.1:5432/test", e);
      }
      if (parsed.getUser() != null || parsed.getPassword() != null) {
        throw new IllegalArgumentException("--postgres URL must not name a user or password: use --pg-user and --pg-owner"
            + " (passwords in " + APP_PASSWORD_ENV + " and " + OWNER_PASSWORD_ENV + ")");
      }
    }
  }

  static final class HelpRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  static final String USAGE = String.join("\n",
      "Bulwark Notes - a sample web application wiring every Bulwark module (Spring Boot).",
      "",
      "Usage: java -jar bulwark-notes.jar [options] [--property=value ...]",
      "  --port N          port on 127.0.0.1 (default 8080; 0 picks a free port): server.port",
      "  --data DIR        data directory: demo secrets, keyring, audit log (default ./bulwark-notes-data):",
      "                    notes.data-dir",
      "  --postgres URL    keep users, notes, sessions, lockout, passkeys, keyrings, lifecycle and the audit",
      "                    log in PostgreSQL, e.g. jdbc:postgresql://127.0.0.1:5432/test; notes are",
      "                    protected by row-level security (the postgres profile with spring.datasource.url)",
      "  --pg-user NAME    application role every query runs as: must not own the tables, be",
      "                    superuser or have BYPASSRLS (default bulwark_notes_app; created by the",
      "                    owner when missing and the owner may create roles): spring.datasource.username",
      "  --pg-owner NAME   owner role that runs the migration (tables, row-level security, grants)",
      "                    at start (default postgres); 'none': the deployment ran it, only verify:",
      "                    notes.postgres.owner",
      "  passwords, when the server asks: " + APP_PASSWORD_ENV + ", " + OWNER_PASSWORD_ENV,
      "  Actuator health and Prometheus metrics: http://127.0.0.1:8081/actuator (management.server.port)",
      "  --help            this text",
      "");

  private final ConfigurableApplicationContext context;
  private final URI baseUri;

  private NotesApp(ConfigurableApplicationContext context, URI baseUri) {
    this.context = context;
    this.baseUri = baseUri;
  }

  /**
   * Starts the application; {@code clock} drives every module (tests pass a movable one), and
   * {@code extraArgs} are more Spring Boot command-line properties. The management port is a free
   * one here.
   */
  public static NotesApp start(Options options, Clock clock, String... extraArgs) {
    List<String> args = new ArrayList<>((options.port() == 0 ? options.withPort(freePort()) : options).toArgs());
    args.add("--management.server.port=0");
    args.addAll(Arrays.asList(extraArgs));
    return run(args.toArray(String[]::new), clock);
  }

  private static NotesApp run(String[] args, Clock clock) {
    SpringApplication app = new SpringApplication(NotesApplication.class);
    if (clock != null) {
      app.addInitializers(ctx -> ((GenericApplicationContext) ctx).registerBean("clock", Clock.class, () -> clock));
    }
    ConfigurableApplicationContext context = app.run(args);
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    return new NotesApp(context, URI.create("http://localhost:" + port + "/"));
  }

  /** Where the app is served, e.g. {@code http://localhost:8080/}. */
  public URI baseUri() {
    return baseUri;
  }

  /** Where Actuator is served, e.g. {@code http://127.0.0.1:8081/actuator/}. */
  public URI managementUri() {
    return URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.management.port") + "/actuator/");
  }

  /** The data directory. */
  public Path dataDir() {
    return service().dataDir();
  }

  /** The audit log's segment directory in file mode. */
  public Optional<Path> auditDirectory() {
    return service().auditDirectory();
  }

  NotesService service() {
    return context.getBean(NotesService.class);
  }

  ConfigurableApplicationContext context() {
    return context;
  }

  @Override
  public void close() {
    context.close();
  }

  /**
   * A free port of 127.0.0.1 for {@code --port 0}: the passkeys' origin names the port, so it must
   * be known before the server starts.
   */
  static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  /** The short options as Spring Boot properties; anything else is passed on as it is. */
  static String[] translate(String[] args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ("--help".equals(a) || "-h".equals(a)) {
        throw new HelpRequested();
      }
      String property;
      switch (a) {
        case "--port":
          property = "server.port";
          break;
        case "--data":
          property = "notes.data-dir";
          break;
        case "--postgres":
          property = "spring.datasource.url";
          break;
        case "--pg-user":
          property = "spring.datasource.username";
          break;
        case "--pg-owner":
          property = "notes.postgres.owner";
          break;
        default:
          if (!a.startsWith("--") || !a.contains("=")) {
            throw new IllegalArgumentException("unknown option " + a + " (see --help)");
          }
          out.add(a);
          continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + a + " needs a value (see --help)");
      }
      String v = args[++i];
      if ("--port".equals(a) && "0".equals(v)) {
        v = Integer.toString(freePort());
      }
      if ("--postgres".equals(a)) {
        out.add("--spring.profiles.active=postgres");
      }
      out.add("--" + property + "=" + v);
    }
    return out.toArray(String[]::new);
  }

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    String[] boot;
    try {
      boot = translate(args);
    } catch (HelpRequested h) {
      out.print(USAGE);
      return;
    } catch (IllegalArgumentException e) {
      System.err.println("bulwark-notes: " + e.getMessage());
      System.exit(2);
      return;
    }
    NotesApp app;
    try {
      app = run(boot, null);
    } catch (RuntimeException e) {
      // Spring Boot printed the report (the property and what it expects, or the refusal).
      System.exit(1);
      return;
    }
    out.println("Bulwark Notes is running at " + app.baseUri());
    out.println("  data directory: " + app.dataDir().toAbsolutePath()
        + (app.auditDirectory().isEmpty() ? " (users, notes and the audit log in PostgreSQL; notes under row-level"
            + " security)" : ""));
    out.println("  health and metrics: " + app.managementUri() + "health, " + app.managementUri() + "prometheus");
    out.println("  open the URL above (use 'localhost', not 127.0.0.1: passkeys need it); Ctrl-C stops.");
  }
}
