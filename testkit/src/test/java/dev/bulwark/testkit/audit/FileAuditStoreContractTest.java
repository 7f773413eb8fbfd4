package dev.bulwark.testkit.audit;

import dev.bulwark.audit.AuditFrame;
import dev.bulwark.audit.FileAuditStore;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.SegmentedAuditStore;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.testing.FakeClock;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/** The file store under the contract; attacks rewrite the segment and checkpoint files with valid frames. */
class FileAuditStoreContractTest extends SegmentedAuditStoreContract {

  @TempDir Path tmp;

  @Override
  protected SegmentedAuditStore createSegmentedStore(FakeClock clock) {
    return FileAuditStore.open(tmp.resolve("log"));
  }

  private Path dir() {
    return ((FileAuditStore) store).directory();
  }

  @Override
  protected void rewriteEvents(UnaryOperator<List<StoredEvent>> change) throws Exception {
    List<StoredEvent> current;
    try (FileAuditStore ro = FileAuditStore.openReadOnly(dir()); Stream<StoredEvent> s = ro.read(0)) {
      current = s.filter(e -> !e.isDamaged()).collect(Collectors.toList());
    }
    long first = store.head().base().firstSeq();
    List<Path> segments;
    try (Stream<Path> files = Files.list(dir())) {
      segments = files.filter(p -> p.getFileName().toString().matches("seg-\\d{20}\\.log")).collect(Collectors.toList());
    }
    for (Path p : segments) {
      Files.write(p, new byte[0]);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (StoredEvent e : change.apply(new ArrayList<>(current))) {
      out.writeBytes(AuditFrame.encodeEvent(e));
    }
    Files.write(dir().resolve(String.format(Locale.ROOT, "seg-%020d.log", first)), out.toByteArray());
  }

  @Override
  protected void rewriteCheckpoints(UnaryOperator<List<String>> change) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String note : change.apply(new ArrayList<>(store.checkpoints()))) {
      out.writeBytes(AuditFrame.encodeCheckpoint(note));
    }
    Files.write(dir().resolve("checkpoints.log"), out.toByteArray());
  }

  @Override
  protected AuditStore forVerification() {
    return FileAuditStore.openReadOnly(dir());
  }
}
