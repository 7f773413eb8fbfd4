package dev.bulwark.common.internal;

import dev.bulwark.common.Bytes;

/**
 * Lets Bulwark's own modules wrap a freshly made array in a {@link Bytes} and read one without a
 * copy, on hot paths (hashing, framing) where the array never escapes. Not API: the package is
 * exported only to Bulwark's modules, and a caller that keeps or changes the array breaks
 * {@code Bytes}'s immutability.
 */
public final class ByteAccess {

  /** Implemented by {@link Bytes} itself. */
  public interface Accessor {
    Bytes wrap(byte[] value);

    byte[] array(Bytes bytes);
  }

  private static volatile Accessor accessor;

  private ByteAccess() {}

  /** Called once by {@link Bytes}'s static initializer; later calls are refused. */
  public static synchronized void install(Accessor a) {
    if (accessor != null) {
      throw new IllegalStateException("already installed");
    }
    accessor = a;
  }

  private static Accessor accessor() {
    Accessor a = accessor;
    if (a == null) {
      Bytes.empty(); // runs Bytes's static initializer
      a = accessor;
    }
    return a;
  }

  /** Takes ownership of {@code value}; the caller must not change it afterwards. */
  public static Bytes wrap(byte[] value) {
    return accessor().wrap(value);
  }

  /** The array behind {@code bytes}; the caller must not change or keep it. */
  public static byte[] array(Bytes bytes) {
    return accessor().array(bytes);
  }
}
