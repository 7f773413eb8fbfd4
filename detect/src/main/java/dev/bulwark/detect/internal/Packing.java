package dev.bulwark.detect.internal;

/**
 * How a detector's record is written as text in a shared state and read back. An in-memory
 * state keeps the record itself and packs it only if someone asks for its text.
 */
public interface Packing<T> {

  /** The record as text. */
  String pack(T value);

  /**
   * The record from its text.
   *
   * @throws RuntimeException (a {@code DetectStoreException}) if the text is not such a record
   */
  T unpack(String text);
}
