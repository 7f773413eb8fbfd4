package dev.bulwark.crypto.spi;

import dev.bulwark.common.Bytes;
import java.util.List;
import java.util.Optional;

/**
 * Host-supplied pages of stored ciphertexts for bulk rewrap, in a stable order of ids.
 *
 * <p>MUST return items with ids strictly after {@code afterId} (all items when empty), in
 * increasing id order, at most {@code limit} of them; an empty list means the end. MUST NOT return
 * null.
 */
@FunctionalInterface
public interface CiphertextSource {
  /** One page. */
  List<Item> page(Optional<String> afterId, int limit) throws Exception;

  /**
   * One stored ciphertext.
   *
   * @param id the host's stable key (row id, object name)
   * @param ciphertext the stored bytes
   */
  record Item(String id, Bytes ciphertext) {
    /** Validates. */
    public Item {
      if (id == null || ciphertext == null) {
        throw new IllegalArgumentException("id and ciphertext must not be null");
      }
    }
  }
}
