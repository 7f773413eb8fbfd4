package dev.bulwark.samples.notes;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Bulwark Notes: a small notes web application that wires every Bulwark module together.
 *
 * <pre>
 * java -jar samples/target/bulwark-notes.jar [--port 8080] [--data ./bulwark-notes-data]
 *     [--postgres jdbc:postgresql://127.0.0.1:5432/test [--pg-user bulwark_notes_app] [--pg-owner postgres|none]]
 * </pre>
 *
 * <p>With {@code --postgres} the notes live in a table protected by row-level security: the
 * owner role ({@code --pg-owner}) runs the migration, the application role ({@code --pg-user})
 * runs every query, and the app refuses to start when that role could bypass row-level security.
 *
 * <p>Binds to 127.0.0.1 only and serves {@code http://localhost:PORT/} (WebAuthn accepts plain
 * HTTP only on {@code localhost}).
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

    static Options parse(String[] args) {
      Options o = defaults();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if ("--help".equals(a) || "-h".equals(a)) {
          throw new HelpRequested();
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + a + " needs a value (see --help)");
        }
        String v = args[++i];
        switch (a) {
          case "--port":
            try {
              o = o.withPort(Integer.parseInt(v));
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--port must be a number, was '" + v + "'", e);
            }
            break;
          case "--data":
            o = o.withDataDir(Path.of(v));
            break;
          case "--postgres":
            if (!v.startsWith("jdbc:postgresql://")) {
              throw new IllegalArgumentException("--postgres needs a JDBC URL like jdbc:postgresql://127.0.0.1:5432/test");
            }
            o = o.withPostgres(v);
            break;
          case "--pg-user":
            o = o.withApplicationRole(v);
            break;
          case "--pg-owner":
            o = o.withOwnerRole("none".equals(v) ? Optional.empty() : Optional.of(v));
            break;
          default:
            throw new IllegalArgumentException("unknown option " + a + " (see --help)");
        }
      }
      return o;
    }
  }

  static final class HelpRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  static final String USAGE = String.join("\n",
      "Bulwark Notes - a sample web application wiring every Bulwark module.",
      "",
      "Usage: java -jar bulwark-notes.jar [options]",
      "  --port N          port on 127.0.0.1 (default 8080; 0 picks a free port)",
      "  --data DIR        data directory: keyring, audit log, keys (default ./bulwark-notes-data)",
      "  --postgres URL    keep users, notes, sessions, lockout, passkeys, lifecycle and the audit",
      "                    log in PostgreSQL, e.g. jdbc:postgresql://127.0.0.1:5432/test; notes are",
      "                    protected by row-level security",
      "  --pg-user NAME    application role every query runs as: must not own the tables, be",
      "                    superuser or have BYPASSRLS (default bulwark_notes_app; created by the",
      "                    owner when missing and the owner may create roles)",
      "  --pg-owner NAME   owner role that runs the migration (tables, row-level security, grants)",
      "                    at start (default postgres); 'none': the deployment ran it, only verify",
      "  passwords, when the server asks: " + APP_PASSWORD_ENV + ", " + OWNER_PASSWORD_ENV,
      "  --help            this text",
      "");

  private final HttpServer server;
  private final ExecutorService executor;
  private final NotesService service;
  private final URI baseUri;

  private NotesApp(HttpServer server, ExecutorService executor, NotesService service, URI baseUri) {
    this.server = server;
    this.executor = executor;
    this.service = service;
    this.baseUri = baseUri;
  }

  /** Starts the application; {@code clock} drives every module (tests pass a movable one). */
  public static NotesApp start(Options options, Clock clock) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()), 64);
    int port = server.getAddress().getPort();
    URI base = URI.create("http://localhost:" + port + "/");
    NotesService service;
    try {
      service = new NotesService(options, clock, "http://localhost:" + port);
    } catch (Exception e) {
      server.stop(0);
      throw e;
    }
    ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "bulwark-notes-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", new Web(service, clock, port, false));
    server.start();
    return new NotesApp(server, executor, service, base);
  }

  /** Where the app is served, e.g. {@code http://localhost:8080/}. */
  public URI baseUri() {
    return baseUri;
  }

  /** The data directory. */
  public Path dataDir() {
    return service.dataDir();
  }

  /** The audit log's segment directory in file mode. */
  public Optional<Path> auditDirectory() {
    return service.auditDirectory();
  }

  NotesService service() {
    return service;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    service.close();
  }

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Options options;
    try {
      options = Options.parse(args);
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
      app = start(options, Clock.systemUTC());
    } catch (IOException e) {
      System.err.println("bulwark-notes: cannot start: " + e.getMessage()
          + (e instanceof java.net.BindException ? " (is another program using port " + options.port() + "? try --port 0)" : ""));
      System.exit(1);
      return;
    } catch (Exception e) {
      System.err.println("bulwark-notes: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "bulwark-notes-shutdown"));
    out.println("Bulwark Notes is running at " + app.baseUri());
    out.println("  data directory: " + app.dataDir().toAbsolutePath()
        + options.postgresUrl().map(u -> " (users, notes and the audit log in " + u + " as " + options.postgresUser()
            + "; notes under row-level security)").orElse(""));
    out.println("  open the URL above (use 'localhost', not 127.0.0.1: passkeys need it); Ctrl-C stops.");
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
