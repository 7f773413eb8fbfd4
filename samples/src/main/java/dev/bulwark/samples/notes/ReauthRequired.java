package dev.bulwark.samples.notes;

/**
 * The operation needs a second factor verified in the last {@link NotesService#REAUTH_MAX_AGE}:
 * the web layer sends the user to {@code /reauth} and back.
 */
final class ReauthRequired extends UserError {
  private static final long serialVersionUID = 1L;

  ReauthRequired() {
    super("For your safety, confirm it's you first (password and code, or a passkey).");
  }
}
