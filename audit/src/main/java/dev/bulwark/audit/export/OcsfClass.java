package dev.bulwark.audit.export;

import dev.bulwark.audit.Action;
import java.util.HashMap;
import java.util.Map;

/**
 * Which OCSF (1.3) class and activity an audit action maps to. {@code type_uid} is
 * {@code class_uid * 100 + activity_id}. Actions outside the table (Bulwark's own {@code audit_*}
 * events, custom actions) map to the Base Event class 0, activity 99; custom actions that start
 * with {@code detect_} (findings of a detector) to Detection Finding 2004.
 *
 * @param classUid OCSF class_uid
 * @param className OCSF class name
 * @param categoryUid OCSF category_uid
 * @param categoryName OCSF category name
 * @param activityId OCSF activity_id
 * @param activityName OCSF activity name
 */
record OcsfClass(int classUid, String className, int categoryUid, String categoryName, int activityId,
    String activityName) {

  static final int AUTHENTICATION = 3002;
  static final int ACCOUNT_CHANGE = 3001;
  static final int AUTHORIZE_SESSION = 3003;
  static final int DETECTION_FINDING = 2004;
  static final int APPLICATION_LIFECYCLE = 6002;
  static final int API_ACTIVITY = 6003;
  static final int WEB_RESOURCES_ACCESS = 6004;
  static final int BASE_EVENT = 0;

  private static final String IAM = "Identity & Access Management";
  private static final String APP = "Application Activity";
  private static final String FINDINGS = "Findings";
  private static final Map<String, OcsfClass> TABLE = new HashMap<>();

  static {
    for (Action a : new Action[] {Action.AUTHN_LOGIN_SUCCESS, Action.AUTHN_LOGIN_SUCCESSAFTERFAIL,
        Action.AUTHN_LOGIN_FAIL, Action.AUTHN_LOGIN_FAIL_MAX}) {
      put(a, AUTHENTICATION, "Authentication", 3, IAM, 1, "Logon");
    }
    put(Action.AUTHN_TOKEN_CREATED, AUTHENTICATION, "Authentication", 3, IAM, 3, "Authentication Ticket");
    for (Action a : new Action[] {Action.AUTHN_TOKEN_REVOKED, Action.AUTHN_TOKEN_DELETE, Action.SESSION_EXPIRED}) {
      put(a, AUTHENTICATION, "Authentication", 3, IAM, 2, "Logoff");
    }
    put(Action.SESSION_CREATED, AUTHENTICATION, "Authentication", 3, IAM, 99, "Other");
    put(Action.SESSION_RENEWED, AUTHENTICATION, "Authentication", 3, IAM, 99, "Other");

    put(Action.USER_CREATED, ACCOUNT_CHANGE, "Account Change", 3, IAM, 1, "Create");
    put(Action.AUTHN_PASSWORD_CHANGE, ACCOUNT_CHANGE, "Account Change", 3, IAM, 3, "Password Change");
    put(Action.AUTHN_PASSWORD_CHANGE_FAIL, ACCOUNT_CHANGE, "Account Change", 3, IAM, 3, "Password Change");
    put(Action.USER_ARCHIVED, ACCOUNT_CHANGE, "Account Change", 3, IAM, 5, "Disable");
    put(Action.USER_DELETED, ACCOUNT_CHANGE, "Account Change", 3, IAM, 6, "Delete");
    put(Action.AUTHN_LOGIN_LOCK, ACCOUNT_CHANGE, "Account Change", 3, IAM, 9, "Lock");
    put(Action.USER_UPDATED, ACCOUNT_CHANGE, "Account Change", 3, IAM, 99, "Other");

    for (Action a : new Action[] {Action.AUTHZ_CHANGE, Action.AUTHZ_ADMIN, Action.PRIVILEGE_PERMISSIONS_CHANGED}) {
      put(a, AUTHORIZE_SESSION, "Authorize Session", 3, IAM, 1, "Assign Privileges");
    }
    put(Action.AUTHZ_FAIL, WEB_RESOURCES_ACCESS, "Web Resources Access Activity", 6, APP, 2, "Access Deny");

    for (Action a : new Action[] {Action.AUTHN_IMPOSSIBLE_TRAVEL, Action.AUTHN_TOKEN_REUSE,
        Action.SESSION_USE_AFTER_EXPIRE, Action.EXCESS_RATE_LIMIT_EXCEEDED, Action.INPUT_VALIDATION_FAIL,
        Action.MALICIOUS_EXCESS_404, Action.MALICIOUS_EXTRANEOUS, Action.MALICIOUS_ATTACK_TOOL,
        Action.MALICIOUS_CORS, Action.MALICIOUS_DIRECT_REFERENCE, Action.SEQUENCE_FAIL}) {
      put(a, DETECTION_FINDING, "Detection Finding", 2, FINDINGS, 1, "Create");
    }

    put(Action.SENSITIVE_CREATE, API_ACTIVITY, "API Activity", 6, APP, 1, "Create");
    put(Action.SENSITIVE_READ, API_ACTIVITY, "API Activity", 6, APP, 2, "Read");
    put(Action.SENSITIVE_UPDATE, API_ACTIVITY, "API Activity", 6, APP, 3, "Update");
    put(Action.SENSITIVE_DELETE, API_ACTIVITY, "API Activity", 6, APP, 4, "Delete");
    put(Action.UPLOAD_COMPLETE, API_ACTIVITY, "API Activity", 6, APP, 1, "Create");
    put(Action.UPLOAD_STORED, API_ACTIVITY, "API Activity", 6, APP, 1, "Create");
    put(Action.UPLOAD_VALIDATION, API_ACTIVITY, "API Activity", 6, APP, 99, "Other");
    put(Action.UPLOAD_DELETE, API_ACTIVITY, "API Activity", 6, APP, 4, "Delete");

    put(Action.SYS_STARTUP, APPLICATION_LIFECYCLE, "Application Lifecycle", 6, APP, 3, "Start");
    put(Action.SYS_SHUTDOWN, APPLICATION_LIFECYCLE, "Application Lifecycle", 6, APP, 4, "Stop");
    put(Action.SYS_RESTART, APPLICATION_LIFECYCLE, "Application Lifecycle", 6, APP, 5, "Restart");
    put(Action.SYS_MONITOR_ENABLED, APPLICATION_LIFECYCLE, "Application Lifecycle", 6, APP, 6, "Enable");
    put(Action.SYS_MONITOR_DISABLED, APPLICATION_LIFECYCLE, "Application Lifecycle", 6, APP, 7, "Disable");
    put(Action.SYS_CRASH, APPLICATION_LIFECYCLE, "Application Lifecycle", 6, APP, 99, "Other");
  }

  private static void put(Action a, int cls, String clsName, int cat, String catName, int act, String actName) {
    TABLE.put(a.name(), new OcsfClass(cls, clsName, cat, catName, act, actName));
  }

  /** The class of {@code action}; never null. */
  static OcsfClass of(Action action) {
    OcsfClass c = TABLE.get(action.name());
    if (c != null) {
      return c;
    }
    if (action.name().startsWith("detect_")) {
      return new OcsfClass(DETECTION_FINDING, "Detection Finding", 2, FINDINGS, 1, "Create");
    }
    return new OcsfClass(BASE_EVENT, "Base Event", 0, "Uncategorized", 99, "Other");
  }

  /** {@code class_uid * 100 + activity_id}. */
  long typeUid() {
    return classUid * 100L + activityId;
  }
}
