package dev.bulwark.crypto;

/**
 * What a ciphertext header says, read without any key: enough to route, inventory and rewrap.
 *
 * @param keyringId the keyring (scope) whose KEK wrapped the data key
 * @param kekVersion the KEK version
 * @param streaming whether it is a segmented streaming ciphertext
 * @param headerLength the header's length in bytes
 */
public record CiphertextInfo(String keyringId, int kekVersion, boolean streaming, int headerLength) {}
