package dev.bulwark.samples.notes;

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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Keycloak (as bulwark-spring-boot-sso-tests runs it) from the distribution the {@code integration} profile unpacks under {@code
 * target/keycloak}, on a free loopback port, with one realm imported into a fresh development
 * database at each start (the Quarkus build of the distribution is kept, so only the first start
 * of a checkout pays for it). Started by {@link #start}, stopped by {@link #stop} or a shutdown hook.
 * Browsed as {@code http://localhost:PORT}: the same site as the Notes app (which answers only for
 * {@code localhost}), so its cookies travel with the identity provider's answers.
 */
final class LocalKeycloak {

  final int port;
  final String base;
  private final Process process;
  private final Path log;

  private LocalKeycloak(int port, Process process, Path log) {
    this.port = port;
    this.base = "http://localhost:" + port;
    this.process = process;
    this.log = log;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Starts Keycloak in the background; {@link #awaitRealm} waits until the realm answers. */
  static LocalKeycloak start(String realmName, String realmJson) throws Exception {
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
    LocalKeycloak k = new LocalKeycloak(port, pb.start(), log);
    Runtime.getRuntime().addShutdownHook(new Thread(k::stop));
    return k;
  }

  String realmUrl(String realm) {
    return base + "/realms/" + realm;
  }

  void awaitRealm(String realm) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI probe = URI.create(realmUrl(realm) + "/.well-known/openid-configuration");
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

  void stop() {
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
