package dev.bulwark.samples.notes;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The sample's own data: user accounts and encrypted notes (TOTP credentials are in the
 * starter's authn stores). The lifecycle
 * state of a note (live, in the trash, purged) is not here: it belongs to the lifecycle store,
 * which for PostgreSQL is a row of {@code sample_note_lifecycle}.
 *
 * <p>Every note belongs to one organization, and every note operation names the organization it
 * runs in: a note of another organization is not there (with PostgreSQL, row-level security on
 * {@code sample_notes} makes it so, whatever the query says).
 *
 * <p>Implementations are thread-safe and never return null.
 */
interface AppStore extends AutoCloseable {

  /** A user account; {@code passwordHash} is an Argon2id PHC string. */
  record User(String id, String username, String passwordHash, Set<String> roles, Instant createdAt) {
    public User {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(passwordHash, "passwordHash");
      roles = Set.copyOf(roles);
      Objects.requireNonNull(createdAt, "createdAt");
    }

    boolean isAdmin() {
      return roles.contains("admin");
    }

    @Override
    public String toString() {
      return "User[" + id + ", " + username + ", roles=" + roles + "]";
    }
  }

  /** A stored note: only ciphertext (Base64), its organization and who owns it. */
  record NoteRow(String id, String orgId, String ownerId, String ciphertextBase64, Instant createdAt) {
    public NoteRow {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(orgId, "orgId");
      Objects.requireNonNull(ownerId, "ownerId");
      Objects.requireNonNull(ciphertextBase64, "ciphertextBase64");
      Objects.requireNonNull(createdAt, "createdAt");
    }
  }

  /** Adds {@code user}; false when the username is taken. */
  boolean addUser(User user);

  Optional<User> userByName(String username);

  Optional<User> userById(String id);

  long userCount();

  void updatePasswordHash(String userId, String hash);

  void deleteUser(String userId);

  /** Stores a new note row in its organization and registers it with the lifecycle store. */
  void addNote(NoteRow note);

  /** Every stored row of {@code ownerId} in {@code org}, live or soft-deleted (purged rows are gone or skipped). */
  List<NoteRow> notesOf(String org, String ownerId);

  /** The note, when it exists in {@code org}; a note of another organization is empty. */
  Optional<NoteRow> note(String org, String noteId);

  /** Replaces a note's ciphertext (an edit); false when the note does not exist in {@code org}. */
  boolean updateNote(String org, String noteId, String ciphertextBase64);

  /** Drops what is left of a note of {@code org} the lifecycle store no longer knows (purged or erased). */
  void forgetNote(String org, String noteId);

  @Override
  void close();
}
