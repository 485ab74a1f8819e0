// Who is behind an approver identity. A two-approval rule means two people, and the author rule
// means "not the person who wrote it" — so votes are counted by person, never by a name the voter
// chose. What an identity proves:
// - an IAM user is one person;
// - an IAM Identity Center session (`assumed-role/AWSReservedSSO_<set>_<hash>/<user>`) names the
//   Identity Center user who signed in: Identity Center sets the session name, not the caller;
// - any other role session is named by whoever calls AssumeRole ("Use the role session name to
//   uniquely identify a session", AWS STS AssumeRole, RoleSessionName; only a trust policy's
//   `sts:RoleSessionName` condition constrains it), so all its sessions are one identity: the
//   role. A role whose session names an identity provider sets (SAML, or that condition) can be
//   listed in approval.personRoles to count its sessions as people;
// - a local token proves only that its holder could read .uigate/approvers.json, which is the OS
//   login that owns it: locally the person is that login, whatever `--as` says.

export interface Person {
  /** Stable key votes are counted by. */
  id: string;
  /** Names this person is known by, compared with a commit's authors. */
  names: string[];
  /** False for a shared role: its sessions may be anyone, so the author rule cannot be checked. */
  verified: boolean;
}

const USER = /^arn:aws[a-z-]*:iam::(\d{12}):user\/(?:[^/]+\/)*([^/]+)$/;
const SESSION = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/;
const ROLE = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;
const IDENTITY_CENTER_ROLE = /^AWSReservedSSO_/;

export interface PersonRules {
  /** Role names whose session names an identity provider sets: each session is a person. */
  personRoles?: readonly string[];
}

/** Finds the person behind an approver: an IAM ARN, or a name (local approvers, as `local` tells). */
export function personOf(approver: string, rules: PersonRules = {}, local?: { login: string }): Person {
  if (local) return localPerson(approver, local.login);
  const user = USER.exec(approver);
  if (user) return { id: approver, names: [user[2]!], verified: true };
  const session = SESSION.exec(approver);
  if (session) {
    const [, account, role, name] = session as unknown as [string, string, string, string];
    if (IDENTITY_CENTER_ROLE.test(role) || (rules.personRoles ?? []).includes(role))
      return { id: `session:${name.toLowerCase()}`, names: [name], verified: true };
    return { id: `arn:aws:sts::${account}:assumed-role/${role}`, names: [], verified: false };
  }
  if (ROLE.test(approver)) return { id: approver, names: [], verified: false };
  // A bare name reaches here only from a caller that authenticated it as one person.
  return { id: approver, names: [approver], verified: true };
}

function localPerson(approver: string, login: string): Person {
  return { id: `login:${login}`, names: [...new Set([login, approver])], verified: true };
}

/** Lists every name a commit's author or contributor goes by, from git's "Name <email>". */
function namesOf(contributor: string): string[] {
  const match = /^(.*?)\s*<([^>]*)>$/.exec(contributor.trim());
  if (!match) return [contributor.trim().toLowerCase()];
  const [name, email] = [match[1]!.trim().toLowerCase(), match[2]!.trim().toLowerCase()];
  const local = email.split('@')[0]!;
  return [name, email, local, name.replace(/\s+/g, '.'), name.replace(/\s+/g, '')].filter(Boolean);
}

/** Tells whether a person wrote (authored, committed or co-authored) the commit. */
export function wroteCommit(person: Person, contributors: readonly string[]): boolean {
  const known = new Set(contributors.flatMap(namesOf));
  return person.names.some((name) => {
    const lower = name.toLowerCase();
    return known.has(lower) || known.has(lower.split('@')[0]!);
  });
}
