package dev.bulwark.testkit.ratelimit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A {@code redis-server} of the test's own, on a free loopback port, without persistence; it can
 * be killed and started again on the same port. Fails (never skips) when the binary is missing.
 */
final class RedisServer implements AutoCloseable {

  private final int port;
  private final Path dir;
  private Process process;

  RedisServer(Path dir) throws IOException {
    this.dir = dir;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    start();
  }

  int port() {
    return port;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  void start() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(List.of(System.getProperty("bulwark.redis.server", "redis-server"),
        "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", dir.toString()));
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("redis-" + port + ".log").toFile());
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new IOException("redis-server could not be started (install Debian's redis-server; .ci/run does)", e);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        new Socket(java.net.InetAddress.getLoopbackAddress(), port).close();
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IOException("redis-server exited with " + process.exitValue());
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
    }
    throw new IOException("redis-server did not listen on " + port + " within 20 s");
  }

  /** Kills the server at once (SIGKILL), as a crash would. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      kill();
    }
  }
}
