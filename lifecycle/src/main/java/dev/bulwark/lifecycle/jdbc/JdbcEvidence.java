package dev.bulwark.lifecycle.jdbc;

import static dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore.instant;
import static dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore.ts;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.DeletionEvidence;
import dev.bulwark.lifecycle.internal.Evidence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Bulwark's own store of deletion evidence on PostgreSQL ({@code bulwark_lifecycle_evidence}):
 * one row per batch, record and subject hashes packed 32 bytes each, a delivery mark. Every
 * method works in the caller's connection, so a batch's evidence commits with its deletion.
 */
final class JdbcEvidence {

  private static final int HASH_BYTES = 32;

  private static final String EVIDENCE_COLUMNS =
      "evidence_id, kind, data_class, policy, record_hashes, subject_hashes, at, actor, reason, reference";

  private JdbcEvidence() {}

  /** Stores evidence, pending delivery, in the caller's transaction. */
  static void insert(Connection c, DeletionEvidence e) throws SQLException {
    byte[] records = new byte[e.count() * HASH_BYTES];
    byte[] subjects = new byte[e.count() * HASH_BYTES];
    HexFormat hex = HexFormat.of();
    for (int i = 0; i < e.count(); i++) {
      DeletionEvidence.Item item = e.items().get(i);
      System.arraycopy(hex.parseHex(item.recordHash()), 0, records, i * HASH_BYTES, HASH_BYTES);
      if (item.subjectHash().isPresent()) {
        System.arraycopy(hex.parseHex(item.subjectHash().get()), 0, subjects, i * HASH_BYTES, HASH_BYTES);
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_lifecycle_evidence (evidence_id, kind,"
        + " data_class, policy, record_hashes, subject_hashes, at, actor, reason, reference)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setObject(1, e.id());
      ps.setString(2, e.kind().name());
      ps.setString(3, e.dataClass().map(DataClass::name).orElse(null));
      ps.setString(4, e.policy());
      ps.setBytes(5, records);
      ps.setBytes(6, subjects);
      ps.setObject(7, ts(e.at()));
      ps.setString(8, e.by().actor());
      ps.setString(9, e.by().reason());
      ps.setString(10, e.reference());
      ps.executeUpdate();
    }
  }

  private static List<DeletionEvidence> read(PreparedStatement ps) throws SQLException {
    List<DeletionEvidence> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        byte[] records = rs.getBytes(5);
        byte[] subjects = rs.getBytes(6);
        HexFormat hex = HexFormat.of();
        byte[] none = new byte[HASH_BYTES];
        List<DeletionEvidence.Item> items = new ArrayList<>(records.length / HASH_BYTES);
        for (int i = 0; i < records.length; i += HASH_BYTES) {
          byte[] subject = Arrays.copyOfRange(subjects, i, i + HASH_BYTES);
          items.add(new DeletionEvidence.Item(hex.formatHex(records, i, i + HASH_BYTES),
              Arrays.equals(subject, none) ? Optional.empty() : Optional.of(hex.formatHex(subject))));
        }
        out.add(new DeletionEvidence(rs.getObject(1, UUID.class), DeletionEvidence.Kind.valueOf(rs.getString(2)),
            Optional.ofNullable(rs.getString(3)).map(DataClass::of), rs.getString(4), items,
            instant(rs, 7).orElseThrow(), new Attribution(rs.getString(8), rs.getString(9)), rs.getString(10)));
      }
    }
    return out;
  }

  /** Up to {@code limit} records not yet marked delivered, oldest first. */
  static List<DeletionEvidence> pending(Connection c, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + EVIDENCE_COLUMNS
        + " FROM bulwark_lifecycle_evidence WHERE NOT delivered ORDER BY seq LIMIT ?")) {
      ps.setInt(1, limit);
      return read(ps);
    }
  }

  /** Marks evidence delivered to the listener. */
  static void markDelivered(Connection c, Collection<UUID> ids) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE bulwark_lifecycle_evidence SET delivered = true WHERE evidence_id = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
      ps.executeUpdate();
    }
  }

  /** Every record naming the subject, narrowed to its items, oldest first. */
  static List<DeletionEvidence> forSubject(Connection c, String subjectHash) throws SQLException {
    List<DeletionEvidence> all;
    // A rare query (one per erasure report): a scan that keeps the purge path free of index
    // writes. The byte search is a prefilter; narrow() below keeps exact, aligned matches only.
    try (PreparedStatement ps = c.prepareStatement("SELECT " + EVIDENCE_COLUMNS
        + " FROM bulwark_lifecycle_evidence WHERE position(? in subject_hashes) > 0 ORDER BY seq")) {
      ps.setBytes(1, HexFormat.of().parseHex(subjectHash));
      all = read(ps);
    }
    List<DeletionEvidence> out = new ArrayList<>();
    for (DeletionEvidence e : all) {
      Evidence.narrow(e, subjectHash).ifPresent(out::add);
    }
    return out;
  }
}
