package dev.bulwark.testing.keycloak;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Keycloak for integration tests: the distribution a module's {@code integration} profile
 * unpacks under {@code target/keycloak}, started with {@code kc.sh start-dev} on a free loopback
 * port (and a free management port), with one realm imported into a fresh development database at
 * each start. The Quarkus build of the distribution is kept, so only the first start of a checkout
 * pays for it. {@link #start} returns at once; {@link #awaitRealm} waits until the realm answers, so
 * a test can start its own application meanwhile. Stopped by {@link #stop} or, failing that, by a
 * shutdown hook. Fails with a clear message when the distribution or a Java 21+ runtime for it is
 * missing; Keycloak's output goes to {@code keycloak-it.log} in the distribution's directory.
 *
 * <p>Where things are: system properties {@code bulwark.keycloak.home} (default
 * {@code target/keycloak/keycloak-26.7.3}), {@code bulwark.keycloak.java} (default
 * {@code /usr/lib/jvm/temurin-25-jdk-amd64}) and {@code bulwark.keycloak.startMinutes} (how long
 * {@link #awaitRealm} waits, default 10). The POMs' failsafe configurations set the first two.
 *
 * <p>Keycloak listens on 127.0.0.1 only. The host name its addresses use ({@link #base()}) is the
 * caller's choice: a browser test whose application answers only for {@code localhost} browses
 * Keycloak as {@code localhost} too, so both are one site and cookies travel with the identity
 * provider's answers; the realm's issuer is then {@code http://localhost:PORT/realms/NAME}.
 *
 * <p>Not thread-safe; one instance per test class (or per test JVM, held by the tests).
 */
public final class LocalKeycloak {

  private final String realm;
  private final int port;
  private final String base;
  private final Process process;
  private final Path log;

  private LocalKeycloak(String realm, int port, String host, Process process, Path log) {
    this.realm = realm;
    this.port = port;
    this.base = "http://" + host + ":" + port;
    this.process = process;
    this.log = log;
  }

  /** A TCP port free on the loopback address at the time of the call. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts Keycloak in the background with {@code realmJson} (an exported realm named
   * {@code realmName}) imported; addresses use {@code 127.0.0.1}.
   */
  public static LocalKeycloak start(String realmName, String realmJson) throws IOException {
    return start(realmName, realmJson, "127.0.0.1");
  }

  /**
   * Starts Keycloak in the background with {@code realmJson} (an exported realm named
   * {@code realmName}) imported; addresses use {@code host}, a name of the loopback address.
   */
  public static LocalKeycloak start(String realmName, String realmJson, String host) throws IOException {
    Objects.requireNonNull(realmName, "realmName");
    Objects.requireNonNull(realmJson, "realmJson");
    Objects.requireNonNull(host, "host");
    Path home = Path.of(System.getProperty("bulwark.keycloak.home", "target/keycloak/keycloak-26.7.3"));
    Path jdk = Path.of(System.getProperty("bulwark.keycloak.java", "/usr/lib/jvm/temurin-25-jdk-amd64"));
    if (!Files.isExecutable(home.resolve("bin/kc.sh"))) {
      throw new IllegalStateException("Keycloak distribution not found at " + home
          + " (run the ITs with -Pintegration, which unpacks it from Maven Central)");
    }
    if (!Files.isExecutable(jdk.resolve("bin/java"))) {
      throw new IllegalStateException("Keycloak needs Java 21+; no JDK at " + jdk
          + " (set -Dbulwark.keycloak.java=/path/to/jdk21+)");
    }
    deleteTree(home.resolve("data/h2"));
    Path imports = home.resolve("data/import");
    deleteTree(imports);
    Files.createDirectories(imports);
    Files.writeString(imports.resolve(realmName + "-realm.json"), realmJson);
    int port = freePort();
    int management = freePort();
    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev",
        "--http-port=" + port, "--http-host=127.0.0.1", "--import-realm", "--http-management-port=" + management);
    pb.environment().put("JAVA_HOME", jdk.toString());
    pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
    pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin-not-used");
    pb.redirectErrorStream(true);
    Path log = home.resolve("keycloak-it.log");
    pb.redirectOutput(log.toFile());
    LocalKeycloak k = new LocalKeycloak(realmName, port, host, pb.start(), log);
    Runtime.getRuntime().addShutdownHook(new Thread(k::stop));
    return k;
  }

  /** The HTTP port Keycloak listens on. */
  public int port() {
    return port;
  }

  /** {@code http://HOST:PORT}, without a trailing slash. */
  public String base() {
    return base;
  }

  /** The imported realm's name. */
  public String realm() {
    return realm;
  }

  /** The imported realm's address (its OIDC issuer): {@code http://HOST:PORT/realms/NAME}. */
  public String realmUrl() {
    return base + "/realms/" + realm;
  }

  /**
   * Waits until the realm's OIDC discovery document answers 200; fails (and stops Keycloak) when
   * Keycloak exits or does not answer within {@code bulwark.keycloak.startMinutes}.
   */
  public void awaitRealm() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI probe = URI.create(realmUrl() + "/.well-known/openid-configuration");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(Long.getLong("bulwark.keycloak.startMinutes", 10));
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Keycloak exited with " + process.exitValue() + "; see " + log);
      }
      try {
        if (http.send(HttpRequest.newBuilder(probe).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    stop();
    throw new IllegalStateException("Keycloak did not start in time; see " + log);
  }

  /** Stops Keycloak and its child processes (forcibly after 30 s); harmless when already stopped. */
  public void stop() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "LocalKeycloak[" + realmUrl() + "]";
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
