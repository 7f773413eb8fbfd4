package dev.bulwark.testing;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what a {@code java.util.logging} logger (and its children) publishes while the capture
 * is open, for tests that assert something was logged (a listener that threw, a skipped step):
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.of("dev.bulwark.crypto")) {
 *   Logger.getLogger("dev.bulwark.crypto.internal").warning("a listener failed");   // the code under test
 *   if (log.records().size() != 1) {
 *     throw new AssertionError(log.records());
 *   }
 * }
 * }</pre>
 *
 * <p>Records still reach the logger's other handlers. {@link #close()} detaches the capture.
 * Thread-safe: records published from any thread are kept in order of arrival.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private LogCapture(Logger logger) {
    this.logger = logger;
    logger.addHandler(handler);
  }

  /** Starts capturing what logger {@code name} publishes. */
  public static LogCapture of(String name) {
    return new LogCapture(Logger.getLogger(Objects.requireNonNull(name, "name")));
  }

  /** The records published so far (a live, thread-safe view). */
  public List<LogRecord> records() {
    return records;
  }

  /** Stops capturing. */
  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
