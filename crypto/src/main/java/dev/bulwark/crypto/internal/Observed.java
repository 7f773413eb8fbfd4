package dev.bulwark.crypto.internal;

import dev.bulwark.crypto.CiphertextFormatException;
import dev.bulwark.crypto.CryptoStoreException;
import dev.bulwark.crypto.DecryptionFailedException;
import dev.bulwark.crypto.EnvelopeObserver;
import dev.bulwark.crypto.KeyUnavailableException;
import dev.bulwark.crypto.KeyringIntegrityException;
import dev.bulwark.crypto.ScopeShreddedException;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How an {@code Envelope} reports to its {@link EnvelopeObserver}: a guarded start, one end per
 * operation, the failure kind of an exception, and stream wrappers that report when they close
 * or first fail. An observer that throws is logged and ignored.
 */
public final class Observed {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.crypto");

  private Observed() {}

  /** A started operation that reports its end once. */
  public static final class Op {
    private final EnvelopeObserver.Message message;
    private final AtomicBoolean ended = new AtomicBoolean();

    private Op(EnvelopeObserver.Message message) {
      this.message = message;
    }

    /** Reports success, unless the end was already reported. */
    public void succeeded() {
      if (message != null && ended.compareAndSet(false, true)) {
        report(message, null);
      }
    }

    /** Reports the failure kind of {@code t}, unless the end was already reported. */
    public void failed(Throwable t) {
      if (message != null && ended.compareAndSet(false, true)) {
        report(message, t);
      }
    }
  }

  /**
   * Starts a one-shot operation, whose caller reports its end exactly once itself: the observer's
   * message, or null when the observer threw or returned null (then nothing more is reported).
   * No object of this class is made on this path.
   */
  public static EnvelopeObserver.Message begin(EnvelopeObserver observer, EnvelopeObserver.Operation operation) {
    return started(observer, operation, EnvelopeObserver.Mode.ONE_SHOT);
  }

  /** Reports the success of what {@link #begin} started. */
  public static void succeeded(EnvelopeObserver.Message m) {
    report(m, null);
  }

  /** Reports the failure of what {@link #begin} started, by the kind of {@code t}. */
  public static void failed(EnvelopeObserver.Message m, Throwable t) {
    report(m, t);
  }

  /** Starts an operation; an observer that throws or returns null yields an operation that reports nothing. */
  public static Op start(EnvelopeObserver observer, EnvelopeObserver.Operation operation, EnvelopeObserver.Mode mode) {
    return new Op(started(observer, operation, mode));
  }

  private static EnvelopeObserver.Message started(EnvelopeObserver observer, EnvelopeObserver.Operation operation,
      EnvelopeObserver.Mode mode) {
    try {
      return observer.started(operation, mode);
    } catch (RuntimeException e) {
      warn(e);
      return null;
    }
  }

  /** Reports the end of {@code m}: success when {@code failure} is null, else its kind. */
  private static void report(EnvelopeObserver.Message m, Throwable failure) {
    if (m == null) {
      return;
    }
    try {
      if (failure == null) {
        m.succeeded();
      } else {
        m.failed(kind(failure));
      }
    } catch (RuntimeException e) {
      warn(e);
    }
  }

  private static void warn(RuntimeException e) {
    LOG.log(System.Logger.Level.WARNING, "envelope observer failed: " + e.getClass().getName());
  }

  /** The failure kind of an exception (for an I/O failure, of its security cause when it has one). */
  public static EnvelopeObserver.Failure kind(Throwable t) {
    if (t instanceof IOException && t.getCause() instanceof GeneralSecurityException cause) {
      t = cause;
    }
    if (t instanceof DecryptionFailedException) {
      return EnvelopeObserver.Failure.DECRYPTION_FAILED;
    }
    if (t instanceof CiphertextFormatException) {
      return EnvelopeObserver.Failure.MALFORMED;
    }
    if (t instanceof ScopeShreddedException) {
      return EnvelopeObserver.Failure.SHREDDED;
    }
    if (t instanceof KeyUnavailableException) {
      return EnvelopeObserver.Failure.KEY_UNAVAILABLE;
    }
    if (t instanceof KeyringIntegrityException) {
      return EnvelopeObserver.Failure.KEYRING_INTEGRITY;
    }
    if (t instanceof CryptoStoreException) {
      return EnvelopeObserver.Failure.STORE;
    }
    if (t instanceof IllegalArgumentException || t instanceof NullPointerException) {
      return EnvelopeObserver.Failure.INVALID_ARGUMENT;
    }
    if (t instanceof IOException) {
      return EnvelopeObserver.Failure.IO;
    }
    return EnvelopeObserver.Failure.OTHER;
  }

  /** One call on the wrapped stream or channel. */
  @FunctionalInterface
  private interface Call<T> {
    T run() throws IOException;
  }

  /** Runs {@code call}, reporting its exception (which it rethrows) as the failure of {@code op}. */
  private static <T> T watched(Op op, Call<T> call) throws IOException {
    try {
      return call.run();
    } catch (IOException | RuntimeException e) {
      op.failed(e);
      throw e;
    }
  }

  /** One call on the wrapped stream or channel that returns nothing. */
  @FunctionalInterface
  private interface Action {
    void run() throws IOException;
  }

  /** {@link #watched} for a call that returns nothing. */
  private static void ran(Op op, Action action) throws IOException {
    watched(op, () -> {
      action.run();
      return null;
    });
  }

  /** Closes through {@code close}, then reports success (a failed close reports the failure). */
  private static void closed(Op op, Action close) throws IOException {
    ran(op, close);
    op.succeeded();
  }

  /** An encrypting stream that reports success when closed cleanly and failure at its first exception. */
  public static OutputStream output(OutputStream out, Op op) {
    return new FilterOutputStream(out) {
      @Override
      public void write(int b) throws IOException {
        ran(op, () -> out.write(b));
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ran(op, () -> out.write(b, off, len));
      }

      @Override
      public void flush() throws IOException {
        ran(op, out::flush);
      }

      @Override
      public void close() throws IOException {
        closed(op, out::close);
      }
    };
  }

  /** A decrypting stream that reports success when closed and failure at its first exception. */
  public static InputStream input(InputStream in, Op op) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        return watched(op, in::read);
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return watched(op, () -> in.read(b, off, len));
      }

      @Override
      public long skip(long n) throws IOException {
        return watched(op, () -> in.skip(n));
      }

      @Override
      public void close() throws IOException {
        closed(op, in::close);
      }
    };
  }

  /** A decrypting channel that reports success when closed and failure at its first exception. */
  public static SeekableByteChannel channel(SeekableByteChannel ch, Op op) {
    return new SeekableByteChannel() {
      @Override
      public int read(ByteBuffer dst) throws IOException {
        return watched(op, () -> ch.read(dst));
      }

      @Override
      public int write(ByteBuffer src) throws IOException {
        return ch.write(src);
      }

      @Override
      public long position() throws IOException {
        return ch.position();
      }

      @Override
      public SeekableByteChannel position(long newPosition) throws IOException {
        ch.position(newPosition);
        return this;
      }

      @Override
      public long size() throws IOException {
        return ch.size();
      }

      @Override
      public SeekableByteChannel truncate(long size) throws IOException {
        ch.truncate(size);
        return this;
      }

      @Override
      public boolean isOpen() {
        return ch.isOpen();
      }

      @Override
      public void close() throws IOException {
        closed(op, ch::close);
      }
    };
  }
}
