package dev.bulwark.testing.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A {@code redis-server} of the test's own, on a free loopback port, without persistence; it can
 * be killed (as a crash would) and started again on the same port, for outage tests. Fails, never
 * skips, when the binary is missing: install Debian's {@code redis-server} (CI does), or point
 * {@code -Dbulwark.redis.server} at one.
 *
 * <p>Tests that only need a Redis use the shared one: {@link #sharedUri()}.
 */
public final class RedisServer implements AutoCloseable {

  private final int port;
  private final Path dir;
  private Process process;

  private RedisServer(Path dir) throws IOException {
    this.dir = dir;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    start();
  }

  /** Starts a server whose log goes to a file in {@code dir}. */
  public static RedisServer start(Path dir) throws IOException {
    Files.createDirectories(dir);
    return new RedisServer(dir);
  }

  /**
   * The Redis every integration test may share: {@code -Dbulwark.redis.uri}, by default
   * {@code redis://127.0.0.1:6379}. Tests sharing it use key prefixes of their own.
   */
  public static String sharedUri() {
    return System.getProperty("bulwark.redis.uri", "redis://127.0.0.1:6379");
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server again after {@link #kill()}, on the same port. */
  public void start() throws IOException {
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
        new Socket(InetAddress.getLoopbackAddress(), port).close();
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
  public void kill() {
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

  @Override
  public String toString() {
    return "RedisServer[" + uri() + "]";
  }
}
