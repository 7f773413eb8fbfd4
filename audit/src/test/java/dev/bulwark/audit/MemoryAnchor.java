package dev.bulwark.audit;

import dev.bulwark.audit.spi.CheckpointAnchor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An anchor in memory (tests only: nothing is out of anyone's reach here). */
final class MemoryAnchor implements CheckpointAnchor {
  private final List<SignedCheckpoint> notes = new ArrayList<>();

  @Override
  public synchronized void submit(SignedCheckpoint checkpoint) {
    notes.add(checkpoint);
  }

  @Override
  public synchronized Optional<String> latest(String origin) {
    return notes.stream().filter(n -> n.checkpoint().origin().equals(origin))
        .reduce((a, b) -> b.checkpoint().size() >= a.checkpoint().size() ? b : a).map(SignedCheckpoint::note);
  }
}
