package dev.bulwark.audit.export;

import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.ProofBundle;
import java.util.Objects;
import java.util.Optional;

/**
 * One audit event on its way to a SIEM: the logged event, the log it came from and, when a signed
 * checkpoint covers it, the offline proof ({@link ProofBundle}: canonical event bytes, RFC 6962
 * inclusion proof, signed checkpoint). Every format carries the proof as text, so the SIEM's copy
 * of an event can be checked with nothing but the log's public key
 * ({@code bulwark audit proof verify}).
 *
 * @param origin the log's origin (checkpoint name)
 * @param logged the event with its sequence number
 * @param proof the proof against the first stored checkpoint that covers the event; null when no
 *     checkpoint covers it yet (only exported when the exporter is told to)
 */
public record ExportedEvent(String origin, LoggedEvent logged, ProofBundle proof) {

  public ExportedEvent {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(logged, "logged");
    if (proof != null && proof.index() != logged.seq()) {
      throw new IllegalArgumentException("proof is for event " + proof.index() + ", not " + logged.seq());
    }
  }

  /** The proof, if a checkpoint covers the event. */
  public Optional<ProofBundle> coveringProof() {
    return Optional.ofNullable(proof);
  }

  /** The event's sequence number. */
  public long seq() {
    return logged.seq();
  }
}
