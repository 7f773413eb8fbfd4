package dev.bulwark.sso.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One Keycloak per test JVM, from the distribution the {@code integration} profile unpacks under
 * {@code target/keycloak}, on a free loopback port, with {@code bulwark-realm.json} imported at
 * start-up. Started on first use, stopped by a shutdown hook. Fails with a clear message when the
 * distribution or a Java 21+ runtime for it is missing.
 */
final class LocalKeycloak {
  static final String REALM = "bulwark";
  private static LocalKeycloak instance;

  final int port;
  final String base;
  private final Process process;

  private LocalKeycloak(int port, Process process) {
    this.port = port;
    this.base = "http://127.0.0.1:" + port;
    this.process = process;
  }

  static synchronized LocalKeycloak get() throws Exception {
    if (instance == null) {
      instance = start();
      LocalKeycloak k = instance;
      Runtime.getRuntime().addShutdownHook(new Thread(k::stop));
    }
    return instance;
  }

  String realmUrl() {
    return base + "/realms/" + REALM;
  }

  private static LocalKeycloak start() throws Exception {
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
    Path imports = home.resolve("data/import");
    Files.createDirectories(imports);
    try (InputStream in = LocalKeycloak.class.getResourceAsStream("/keycloak/bulwark-realm.json")) {
      Files.copy(in, imports.resolve(REALM + "-realm.json"), StandardCopyOption.REPLACE_EXISTING);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev",
        "--http-port=" + port, "--http-host=127.0.0.1", "--import-realm", "--http-management-port=" + (port + 1));
    pb.environment().put("JAVA_HOME", jdk.toString());
    pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
    pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin-not-used");
    pb.redirectErrorStream(true);
    pb.redirectOutput(home.resolve("keycloak-it.log").toFile());
    Process p = pb.start();
    LocalKeycloak k = new LocalKeycloak(port, p);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI probe = URI.create(k.realmUrl() + "/.well-known/openid-configuration");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(Long.getLong("bulwark.keycloak.startMinutes", 10));
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("Keycloak exited with " + p.exitValue() + "; see " + home.resolve("keycloak-it.log"));
      }
      try {
        if (http.send(HttpRequest.newBuilder(probe).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return k;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(1000);
    }
    k.stop();
    throw new IllegalStateException("Keycloak did not start in time; see " + home.resolve("keycloak-it.log"));
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
}
