package dev.bulwark.samples.notes;

import dev.bulwark.lifecycle.InMemoryHostRecords;
import dev.bulwark.lifecycle.RecordRef;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded default: everything in memory (the keyring and the audit log are files). Note
 * operations see only the notes of the organization they name, as row-level security makes
 * PostgreSQL do in the {@code --postgres} mode.
 */
final class MemoryAppStore implements AppStore {

  private final Map<String, User> usersById = new ConcurrentHashMap<>();
  private final Map<String, String> idsByName = new ConcurrentHashMap<>();
  private final Map<String, NoteRow> notes = new ConcurrentHashMap<>();
  private final InMemoryHostRecords lifecycle;

  MemoryAppStore(InMemoryHostRecords lifecycle) {
    this.lifecycle = lifecycle;
  }

  @Override
  public synchronized boolean addUser(User user) {
    if (idsByName.putIfAbsent(user.username(), user.id()) != null) {
      return false;
    }
    usersById.put(user.id(), user);
    return true;
  }

  @Override
  public Optional<User> userByName(String username) {
    return Optional.ofNullable(idsByName.get(username)).map(usersById::get);
  }

  @Override
  public Optional<User> userById(String id) {
    return Optional.ofNullable(usersById.get(id));
  }

  @Override
  public long userCount() {
    return usersById.size();
  }

  @Override
  public synchronized void updatePasswordHash(String userId, String hash) {
    User u = usersById.get(userId);
    if (u != null) {
      usersById.put(userId, new User(u.id(), u.username(), hash, u.roles(), u.createdAt()));
    }
  }

  @Override
  public synchronized void deleteUser(String userId) {
    User u = usersById.remove(userId);
    if (u != null) {
      idsByName.remove(u.username());
    }
  }

  @Override
  public void addNote(NoteRow note) {
    notes.put(note.id(), note);
    lifecycle.insert(RecordRef.of(NotesService.NOTE, note.id()), Optional.of(note.ownerId()), Optional.empty());
  }

  @Override
  public List<NoteRow> notesOf(String org, String ownerId) {
    return notes.values().stream().filter(n -> n.orgId().equals(org) && n.ownerId().equals(ownerId))
        .sorted(Comparator.comparing(NoteRow::createdAt).reversed()).toList();
  }

  @Override
  public Optional<NoteRow> note(String org, String noteId) {
    return Optional.ofNullable(notes.get(noteId)).filter(n -> n.orgId().equals(org));
  }

  @Override
  public boolean updateNote(String org, String noteId, String ciphertextBase64) {
    boolean[] updated = {false};
    notes.computeIfPresent(noteId, (id, n) -> {
      if (!n.orgId().equals(org)) {
        return n;
      }
      updated[0] = true;
      return new NoteRow(id, n.orgId(), n.ownerId(), ciphertextBase64, n.createdAt());
    });
    return updated[0];
  }

  @Override
  public void forgetNote(String org, String noteId) {
    notes.computeIfPresent(noteId, (id, n) -> n.orgId().equals(org) ? null : n);
  }

  @Override
  public void close() {
    // Nothing to release.
  }
}
