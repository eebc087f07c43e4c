app-name = Tongxing
app-tagline = Urban–rural school pairing
lang-switch = 中文

nav-menu = Menu
nav-home = Home
nav-schools = Schools
nav-teachers = Teachers
nav-years = Academic years
nav-users = Users
nav-logout = Sign out

role-bureau_admin = Bureau administrator
role-school_admin = School administrator
role-teacher = Teacher

school-kind-urban = Urban
school-kind-township = Township
school-kind-rural = Rural
stage-primary = Primary
stage-junior = Junior secondary
stage-senior = Senior secondary
stage-complete = Complete secondary
stage-nine_year = Nine-year school
gender-female = Female
gender-male = Male
title-unrated = Unrated
title-third = Grade-3 teacher
title-second = Grade-2 teacher
title-first = Grade-1 teacher
title-senior = Senior teacher
title-professor = Professor-level senior teacher

status-active = Active
status-inactive = Deactivated

field-name = Name
field-person-name = Name
field-email = Email
field-password = Password
field-new-password = New password
field-confirm-password = Confirm new password
field-current-password = Current password
field-role = Role
field-school = School
field-teacher = Teacher
field-code = School code
field-kind = Kind
field-stage = Stage
field-district = District
field-township = Township
field-address = Address
field-principal = Principal
field-phone = Phone
field-student-count = Students
field-teacher-count = Teachers
field-gender = Gender
field-staff-no = Staff number
field-subjects = Subjects
field-grades = Grades
field-title = Title
field-years-teaching = Years teaching
field-honours = Honours
field-token-name = Token name
field-created = Created
field-last-used = Last used
field-status = Status

hint-password = At least 10 characters.
hint-school-code = The 10-digit school code (4–20 letters or digits).
hint-token-name = For example "Excel sync", so you recognise it later.
hint-list = Separate several with commas, e.g. Maths, Physics.

form-has-errors = The form has errors; please correct the marked fields.
form-choose = Choose…
action-save = Save
action-cancel = Cancel
action-edit = Edit
action-deactivate = Deactivate
action-reactivate = Reactivate

filter-search = Search
filter-all = All
filter-sort = Sort by
filter-apply = Filter
label-sep = {": "}
filter-clear = Clear
filter-more = More filters
filter-inactive = Include deactivated
list-count = { $count ->
    [one] 1 result
   *[other] { $count } results
}
export-xlsx = Export Excel
export-csv = Export CSV
pager-label = Pages
pager-prev = Previous
pager-next = Next
pager-position = Page { $page }

flash-saved = Saved.
flash-deactivated = Deactivated.
flash-reactivated = Reactivated.
flash-logged-out = You have signed out.
flash-setup-done = The administrator account is ready. Welcome to Tongxing.
flash-password-reset = Your password was reset; sign in with the new one.
flash-password-changed = Your password was changed.
flash-token-revoked = The token was revoked.

login-title = Sign in
login-submit = Sign in
login-forgot = Forgot your password?
login-failed = Wrong email or password, or the account is deactivated.
login-throttled = Too many sign-in attempts. Please wait a few minutes and try again.
login-expired = Your session expired. Please sign in again.
back-to-login = Back to sign in

setup-title = First-run setup
setup-intro = Welcome to Tongxing. Create the first bureau administrator; you can add everyone else under Users afterwards.
setup-submit = Create administrator

forgot-title = Forgot password
forgot-intro = Enter your account's email address and we will send you a link to reset your password.
forgot-submit = Send link
forgot-sent = If that address belongs to an active account, a reset link is on its way. Please check your mail.

reset-title = Reset password
reset-submit = Set new password
reset-again = Ask for a new link

profile-title = Profile
profile-my-record = My teacher record
profile-password = Change password
profile-password-submit = Change password
tokens-title = API tokens
tokens-intro = Personal tokens let other systems use Tongxing's API (header Authorization: Bearer TOKEN).
tokens-created = Token created. It is shown only this once; copy it now:
tokens-none = No tokens yet.
tokens-create = Create token
tokens-revoke = Revoke

home-bureau-title = Bureau overview
home-school-title = School overview
home-teacher-title = My pairing
home-current-year = Current academic year: { $year }
home-no-year = No academic year has been set up yet.
home-quick = Common tasks
home-my-school = Our school
home-my-teachers = Our teachers
home-my-profile = My record
home-no-school = Your account is not linked to a school yet; please contact the bureau.
home-no-teacher = Your account is not linked to a teacher record yet; please contact your school administrator.
home-school-pairings = Our school pairings
home-school-pairings-empty = No active school pairing. The bureau's published pairings appear here.
home-school-pairings-all = All school pairings
home-termination-requested = termination requested
home-no-pairing = No pairing yet. When the bureau publishes one, it appears here.
kpi-schools = Schools
kpi-teachers = Teachers
kpi-users = Users

schools-title = Schools
schools-new = New school
schools-edit = Edit school
schools-search-hint = Name, code or district
schools-empty = No schools match.
schools-teachers = Teachers
schools-bureau-fields = The name, code, kind, stage and district are kept by the bureau; contact the bureau to correct them.
schools-deactivate-hint = A deactivated school no longer appears in lists and choices; its history is kept.
teachers-new = New teacher
teachers-empty = No teachers yet.

import-schools = Import schools
import-teachers = Import teachers
users-new = New user
years-new = New academic year

error-home = Back to the home page
error-back = Up one level
error-400-title = Bad request
error-401-title = Sign-in required
error-403-title = Not allowed
error-404-title = Not found
error-409-title = Conflict
error-422-title = Invalid input
error-429-title = Too many requests
error-500-title = Server error
error-400-text = The request could not be processed; please check it and try again.
error-401-text = Please sign in first.
error-403-text = You are not allowed to do this.
error-404-text = What you are looking for does not exist.
error-409-text = This conflicts with existing data.
error-429-text = Too many attempts; please try again later.
error-500-text = Something went wrong on the server and was logged. Please try again later.
error-invalid = Some input is invalid; see the messages per field.

err-required = This field is required.
err-too-long = At most { $max } characters.
err-too-many = At most { $max } items.
err-out-of-range = Enter a whole number from { $min } to { $max }.
err-not-a-number = Enter a whole number.
err-email = This is not a valid email address.
err-phone = A phone number may contain only digits, spaces, +, - and parentheses.
err-date = Enter the date as year-month-day.
err-choose = Choose one of the options.
err-password-short = The password needs at least { $min } characters.
err-password-mismatch = The two passwords differ.
err-password-wrong = The current password is wrong.
err-email-taken = Another account already uses this email address.
err-teacher-has-account = This teacher already has an account.
err-unknown-school = The school does not exist or is deactivated.
err-unknown-teacher = The teacher does not exist.
err-own-role = You cannot change your own role.
err-own-deactivate = You cannot deactivate your own account.
err-user-inactive = The account is deactivated.
err-reset-invalid = The link is invalid or has expired (each link works only once).
err-school-code = A school code has 4–20 letters or digits.
err-school-code-taken = A school with this code exists already.
err-staff-no-taken = This school already has a teacher with this staff number.
err-year-name = Write the academic year as two consecutive years, e.g. 2026-2027.
err-year-name-taken = This academic year exists already.
err-year-overlap = The dates overlap academic year { $other }.
err-year-too-long = An academic year cannot be longer than 400 days.
err-end-before-start = The end date must be after the start date.
err-term-outside-year = The second term must start within the academic year.
err-start-not-in-year = The start date should be in { $year }.
err-year-keep-current = There must be a current year: make another year current instead.
err-year-delete-current = The current academic year cannot be deleted.
err-year-in-use = This academic year has { $pairings ->
    [one] 1 teacher pairing
   *[other] { $pairings } teacher pairings
} and { $secondments ->
    [one] 1 secondment
   *[other] { $secondments } secondments
}; it cannot be deleted.
err-year-in-use-other = Records still belong to this academic year; it cannot be deleted.
err-csrf = The form has expired or came from elsewhere. Reload the page and try again (copy what you typed first).
err-bad-form = The form could not be read: { $detail }
err-bad-json = The JSON could not be parsed: { $detail }
err-json-content-type = The request must be JSON (Content-Type: application/json).
err-multipart-content-type = The request must be multipart/form-data (a file upload).
err-body-too-large = What you sent is too large.
err-body-unreadable = What you sent could not be read.
err-page = page must be a whole number from 1.
err-per-page = per_page must be a whole number from 1 to { $max }.

mail-greeting = Dear { $name },
mail-reset-subject = [Tongxing] Reset your password
mail-welcome-subject = [Tongxing] Welcome — please choose a password
mail-reset-body = We received a request to reset the password of your Tongxing account. Follow this link to choose a new one:
mail-welcome-body = The education bureau has opened a Tongxing account for you. Follow this link to choose your password:
mail-reset-button = Choose password
mail-reset-expiry = The link is valid for { $hours } hours and works only once.
mail-reset-ignore = If you did not ask for this, you can ignore this mail.

# api
err-method-not-allowed = This method is not allowed here; the Allow header lists those that are.
err-json-object = The body must be a JSON object.
err-api-minimum = At least { $min }.
err-api-maximum = At most { $max }.
err-api-type = Send a value of type { $type }.
err-too-short = At least { $min } characters.
err-api-pattern = Does not have the expected form ({ $pattern }).
err-staff-no = Use letters, digits, - and _ only.
err-api-score = A score is a number or the word of one of the item's levels.
err-api-schema = { $pointer }: { $detail }
err-api-repeated = Give this parameter once.
err-api-query = The query string could not be read.
err-api-flag = Use true or false.

# teachers/users/years pages
teachers-title = Teachers
teachers-edit = Edit teacher
teachers-edit-own = Edit my contact details
teachers-own-hint = Your school admin keeps your name, subjects and title; here you can change your own phone and email.
teachers-search-hint = Name or staff number
teachers-subject-hint = e.g. Maths
teachers-none-match = No teachers match.
teachers-account = Account
teachers-no-account = No account yet.
teachers-open-account = Open an account
teachers-deactivate-hint = A deactivated teacher no longer appears in lists and pairing choices; their history is kept.
teachers-back = Back to the school's teachers
field-subject = Subject
filter-dir = Order
filter-asc = Ascending
filter-desc = Descending
hint-staff-no = Unique within the school.
hint-grades = Separate several with commas, e.g. Grade 7, Grade 8.
hint-honours = e.g. key teacher, subject leader (separate several with commas).
users-title = Users
users-edit = Edit user
users-search-hint = Name or email
users-none-match = No users match.
users-bound-teacher = Teacher:
users-send-reset = Send a password-reset mail
users-deactivate-hint = Deactivating signs the user out at once and stops them signing in; you can reactivate them at any time.
field-last-login = Last sign-in
field-teacher-id = Teacher number
hint-user-school = A school admin must have the school they run; a teacher's account follows the teacher record's school.
hint-user-teacher = Required for teacher accounts: the number in the teacher's page address (/teachers/number), or use "Open an account" on the teacher's page.
hint-user-password-new = Leave empty to send an invitation mail so the person chooses a password; otherwise at least 10 characters.
hint-user-password-edit = Leave empty to keep the password; a new password signs the user out everywhere.
flash-user-invited = The account was created and an invitation mail was sent; the link in it lets the person choose a password.
flash-reset-sent = The password-reset mail was sent.
years-title = Academic years
years-edit = Edit academic year
years-empty = No academic years yet — add the current one first; pairings and appraisals run by academic year.
years-actions = Actions
years-make-current = Make current
years-delete = Delete
years-delete-title = Delete academic year
years-delete-warning = This cannot be undone. The current academic year cannot be deleted.
years-delete-confirm = I confirm deleting { $year }.
year-label = { $from }–{ $to }
status-current = Current year
field-year-name = Academic year
field-starts-on = Starts on
field-second-term = Second term starts on
field-ends-on = Ends on
field-is-current = Current year
field-secondments-planned = Teachers planned for secondment
hint-secondments-planned = Optional: how many teachers the pairing plan seconds this year; the bureau's home and the annual report set the person-times against it.
hint-year-name = Write it as 2026-2027.
hint-second-term = Leave empty for 15 February of the second year.
hint-is-current = There is always exactly one current year; making this one current ends the other.
err-confirm = Tick the box to confirm.
flash-deleted = Deleted.
flash-year-current = This is now the current academic year.
pager-beyond = There is nothing on this page.
pager-first = Back to the first page

# import/export
import-intro-schools = One school per row. The first row holds the headers, in Chinese or English (for example “学校名称” or “name”), in any order; other columns are ignored. Kind and stage may be written in Chinese (农村, 初中).
import-intro-teachers = One teacher per row; the “school code” column says which school. The first row holds the headers, in Chinese or English, in any order. Separate several subjects, grades or honours with commas.
import-intro-teachers-own = One teacher of your school per row (the school code may be left out: it is then your school). The first row holds the headers, in Chinese or English, in any order. Separate several items with commas.
import-required-columns = Required columns:{" "}
import-all-or-nothing = Imports are all or nothing: every row is checked in a preview first, and if any row has an error, no row is imported.
import-templates = Download a template:{" "}
import-template-xlsx = Excel template
import-template-csv = CSV template
import-file = Choose a file
import-file-hint = .xlsx or .csv (UTF-8 or GBK), at most { $max_mb } MB and { $max_rows } rows.
import-submit = Upload and preview
import-preview-title = Preview
import-summary = { $total ->
    [one] 1 row
   *[other] { $total } rows
}: { $good } correct, { $bad } with errors.
import-ready = Every row is correct. Confirm to import them all at once.
import-has-errors = Correct the rows with errors in your file and upload it again. Nothing is imported until then.
import-bad-lines = Rows with errors:
import-upload-again = Upload the corrected file
import-confirm = Confirm import
import-cancel = Cancel import
import-col-line = Row
import-col-problems = Check
import-row-ok = Correct
import-row-bad = Errors
import-err-no-file = Choose a file to upload.
import-err-empty = The file is empty: it needs a header row and at least one data row.
import-err-too-large = The file is larger than { $max } MB; split it and import the parts one after another.
import-err-too-many-rows = The file has { $rows } data rows; at most { $max } can be imported at once, so split it.
import-err-unreadable = The file cannot be read. Upload an .xlsx or .csv file (CSV in UTF-8 or GBK).
import-err-missing-column = The required column “{ $column }” is missing.
import-err-duplicate-in-file = Same as row { $line } of the file.
import-err-other-school = You can import teachers of your own school only.
import-err-choose = Must be one of: { $values }.
flash-imported-schools = Schools imported: { $count }.
flash-imported-teachers = Teachers imported: { $count }.
flash-import-cancelled = Import cancelled; nothing was written.

# notifications
mail-subject-prefix = {"[Tongxing] "}
mail-notice-open = Open in Tongxing

# secondments/settings/audit/notifications
nav-secondments = Secondments
nav-settings = Settings
nav-audit = Audit log
nav-mail-failures = Failed mails
nav-notifications = Notifications
notifications-unread-count = { $count } unread
secondments-title = Secondments
secondments-new = New secondment
secondments-edit = Edit secondment
secondments-search-hint = Teacher's name
secondments-empty = No secondments yet.
secondments-person-times = Person-times
secondments-count = Person-times
secondments-batch-n = Batch { $batch }
secondments-year-total = Year total
secondments-dates = Dates
secondments-of-teacher = Secondments
field-batch = Batch
field-term = Term
field-from-school = From school
field-to-school = To school
field-note = Note
hint-batch = The batch number, 1 to 20.
hint-secondment-teacher = The teacher's number, shown on their page; the teacher must belong to the dispatching school.
term-first = First term
term-second = Second term
term-year = Whole year
action-delete = Delete
err-secondment-teacher-school = The teacher does not belong to the dispatching school.
err-secondment-same-school = The receiving school must differ from the dispatching school.
err-secondment-unknown-year = Choose an existing academic year.
err-secondment-outside-year = The date must lie within the academic year { $year }.
err-secondment-overlap = This teacher is already seconded from { $from } to { $to }.
settings-title = Settings
field-max-receivers = Schools one supporting school may support
hint-max-receivers = How many schools one urban school may support at the same time (1 to 20).
field-max-mentees = Mentees per mentor
hint-max-mentees = How many active mentees one mentor may have (1 to 10).
field-excellent-quota = Share of "excellent" grades (percent)
hint-excellent-quota = Above this share of "excellent" in a school's verified appraisals the bureau is warned (0 to 100).
audit-title = Audit log
audit-actor = Who
audit-actor-hint = Name, email or user number
audit-entity = What
audit-entity-id = Number
audit-from = From
audit-to = To
audit-when = When
audit-action = What happened
audit-changes = Changes
audit-system = System
audit-empty = No entries match.
notifications-title = Notifications
notifications-read-all = Mark all as read
notifications-empty = No notifications.
notifications-new = New
flash-notifications-read = All notifications are marked as read.
mail-failures-title = Failed mails
mail-failures-hint = Mails that could not be delivered after every retry. Check the address or the mail server, then send again.
mail-failures-empty = No failed mails.
mail-to = To
mail-subject = Subject
mail-attempts = Attempts
mail-last-error = Last error
mail-failed-at = Given up at
mail-retry = Send again
flash-mail-requeued = The mail is queued again.

# school pairings
nav-school-pairings = Pairings
pairing-status-draft = Draft
pairing-status-active = Active
pairing-status-completed = Completed
pairing-status-terminated = Terminated
support-kind-staff = Staff
support-kind-management = Teaching management
support-kind-funds = Funds
support-kind-materials = Materials
pairings-title = School pairings
pairings-new = New pairing
pairings-edit = Edit pairing draft
pairings-search-hint = School name
pairings-field-year = Academic year
pairings-field-status = Status
pairings-field-kinds = Kinds of support
pairings-field-supporter = Supporting school
pairings-field-receiver = Receiving school
pairings-field-years = Years
pairings-field-year-from = First academic year
pairings-field-year-to = Last academic year
pairings-field-note = Note
pairings-field-reason = Reason
pairings-field-published-at = Published
pairings-empty = No pairings match.
pairings-select = Select
pairings-request-pending = termination requested
pairings-publish-selected = Publish selected drafts
pairings-publish-hint = Both schools' admins are told; either all are published or none.
pairings-publish-refused = Nothing was published:
pairings-publish = Publish
pairings-delete = Delete draft
pairings-delete-confirm = This draft has not been published. Deleting it cannot be undone; nobody is told.
flash-pairing-deleted = The draft pairing is deleted.
err-pairing-has-teacher-pairings = Teacher pairings still belong to this school pairing: delete those drafts or move them to another school pairing first.
pairings-terminate = Terminate pairing
pairings-reject-request = Turn down the request
pairings-request-termination = Ask to terminate
pairings-next-draft = This is a draft: the schools see it once it is published.
pairings-next-active = The pairing is active.
pairings-next-requested = One side asked to terminate; the bureau decides:
pairings-next-terminated = The pairing was terminated. Reason:
pairings-next-completed = The pairing ran its course and is completed.
pairings-teacher-pairings = Teacher pairings under it
pairings-no-teacher-pairings = No teacher pairings under this pairing yet.
pairings-secondments = Secondments between the two schools
pairings-no-secondments = No secondments between the two schools yet.
pairings-see-all = See them all
pairings-timeline = Record of actions
pairings-terminate-confirm = Termination cannot be undone; both schools' admins are told. Please give the reason.
pairings-request-confirm = The bureau decides; the pairing goes on until then. Please give the reason.
timeline-school-pairing-create = Draft created
timeline-school-pairing-update = Draft edited
timeline-school-pairing-publish = Published
timeline-school-pairing-request_termination = Termination requested
timeline-school-pairing-reject_termination = Termination request turned down
timeline-school-pairing-terminate = Terminated
timeline-school-pairing-complete = Completed at the end of its last year
flash-pairings-published = { $count ->
    [one] 1 pairing published.
   *[other] { $count } pairings published.
}
flash-pairing-published = The pairing is published; both schools were told.
flash-pairing-terminated = The pairing is terminated.
flash-pairing-requested = Your request went to the bureau.
flash-pairing-request-rejected = The termination request was turned down.
err-pairing-self = A school cannot be paired with itself.
err-pairing-year-order = The last year cannot come before the first.
err-pairing-kinds-required = Choose at least one kind of support.
err-pairing-school-unknown = There is no such school.
err-pairing-school-inactive = { $school } is deactivated and cannot be paired.
err-pairing-duplicate = These two schools are already paired from { $from } to { $to }; the years must not overlap.
err-pairing-reversal = The receiving school already supports this supporting school; a reversed pairing is not allowed.
err-pairing-cap = The supporting school already supports { $max ->
    [one] 1 school
   *[other] { $max } schools
} in { $year }, the most allowed.
err-pairing-stale = Someone saved this draft while you were editing it, so your changes are not saved yet. The form below keeps what you typed; saving again makes yours the version kept.
err-pairing-not-draft = Only a draft can be edited, published or deleted.
err-pairing-not-active = Only an active pairing can be terminated or asked to be.
err-pairing-none-selected = Select at least one draft.
err-pairing-publish-which = Pairing #{ $id } ({ $supporter } → { $receiver }) cannot be published:
err-pairing-publish-id = Pairing #{ $id } cannot be published:
err-pairing-already-requested = A termination request is already waiting for a decision.
err-pairing-transition = The pairing's current status does not allow this.
err-pairing-not-ended = A reason for the end can be given only after the pairing ended.
err-pairing-no-request = There is no termination request to decide.
err-idempotency-key-used = This submission key was already used; reload the page and try again.
notice-school-pairing-published-title = New pairing: { $supporter } → { $receiver }
notice-school-pairing-published-body = The bureau published a pairing: { $supporter } supports { $receiver }, academic years { $from } to { $to }.
notice-school-pairing-termination-requested-title = Termination requested: { $supporter } → { $receiver }
notice-school-pairing-termination-requested-body = { $name } asks to terminate the pairing { $supporter } → { $receiver }. Reason: { $reason }
notice-school-pairing-terminated-title = Pairing terminated: { $supporter } → { $receiver }
notice-school-pairing-terminated-body = The bureau terminated the pairing { $supporter } → { $receiver }. Reason: { $reason }
notice-school-pairing-termination-rejected-title = Termination request turned down: { $supporter } → { $receiver }
notice-school-pairing-termination-rejected-body = The bureau turned down the request to terminate { $supporter } → { $receiver }; the pairing goes on.

# matching
match-link = Suggest mentors
match-title = Mentors for { $name }
match-intro = Teachers of other urban and township schools who share a subject and have a free slot, best match first. A mentor takes at most { $max ->
    [one] 1 mentee
   *[other] { $max } mentees
}.
match-year = Academic year
match-show = Show
match-col-rank = Rank
match-col-mentor = Mentor
match-col-mentee = Mentee
match-col-school = School
match-col-subject = Subject
match-col-score = Score
match-col-reasons = Reasons
match-points = { $points ->
    [one] 1 point
   *[other] { $points } points
}
match-none = No mentor fits (same subject, a free slot, another urban or township school).
match-create-draft = Create draft
match-reason-subject = Same subject: { $subject }
match-reason-grades = Shared grades: { $grades }
match-reason-title-third = Grade-3 teacher
match-reason-title-second = Grade-2 teacher
match-reason-title-first = Grade-1 teacher
match-reason-title-senior = Senior teacher teacher
match-reason-title-professor = Professor-level senior teacher
match-reason-honour = { $honour }
match-reason-years = { $years ->
    [one] 1 year of teaching
   *[other] { $years } years of teaching
}
match-reason-capacity = Can take { $count } more
match-reason-schools-paired = The schools are paired
match-reason-same-district = Same district: { $district }
match-propose-link = Propose all
match-propose-title = Propose all: { $supporter } → { $receiver }
match-propose-intro = The receiving school's active teachers without a pairing this year, assigned to the supporting school's mentors with free slots so that the total score is highest. Drafts are created, to review before publishing.
match-propose-considered = Considered: { $mentees ->
    [one] 1 mentee
   *[other] { $mentees } mentees
}, { $mentors ->
    [one] 1 mentor
   *[other] { $mentors } mentors
} with free slots.
match-propose-total = Total score: { $total }
match-propose-unmatched = Teachers left without a mentor (no shared subject, or no free slot)
match-propose-empty = There is nobody to pair.
match-score-how = How the score adds up
match-score-scale = The score is the sum of the parts below, out of { $max }; higher fits better. A shared subject is required: teachers without one are not paired.
match-score-subject = Same subject: { $points } points
match-score-grades = Grades taught in common: { $first } points, { $each } more for each further grade, at most { $max }
match-score-title = The mentor's title: { $lowest } points for a Grade-3 teacher rising to { $max } for a Professor-level senior teacher
match-score-honours = The mentor's honours (special-grade teacher, master teacher, subject leader, key teacher…): at most { $max } points
match-score-years = The mentor's years of teaching: 1 point per two years, at most { $max }
match-score-capacity = The mentor's free places: { $each } points each, at most { $max }
match-score-paired = The two schools are already paired: { $points } points
match-score-district = Same district: { $points } points
match-col-keep = Keep
match-propose-choose = Untick a pair that does not fit: drafts are made for the ticked pairs only, and the unticked teachers are proposed again next time.
err-match-none-chosen = Tick at least one pair to make drafts.
match-propose-create-chosen = Make drafts of the ticked pairs
match-propose-created = { $count ->
    [one] 1 draft pairing created.
   *[other] { $count } draft pairings created.
}
match-propose-skipped = { $count } not created:
err-match-no-year = Set the current academic year first, or choose one.
err-match-pairing-not-active = Only an active school pairing can be proposed for.
flash-match-draft-created = Draft pairing created.
err-match-no-subject = These two teachers share no subject.

# teacher pairings
nav-teacher-pairings = Teacher pairings
tp-title = Teacher pairings
tp-new = New teacher pairing
tp-edit = Edit draft pairing
tp-all = All teacher pairings
tp-my-pairings = My pairings
tp-school-pairings = This school's teacher pairings
tp-empty = No teacher pairings yet.
tp-filter-name = Mentor or mentee name
tp-field-year = Academic year
tp-field-status = Status
tp-field-subject = Subject
tp-field-mentor = Mentor
tp-field-mentee = Mentee
tp-field-mentor-id = Mentor (teacher number)
tp-field-mentee-id = Mentee (teacher number)
tp-hint-teacher-id = The teacher's number (the number in the address of their page); the name and school are shown after saving.
tp-field-school-pairing = School pairing (number)
tp-school-pairing-of = School pairing
tp-hint-school-pairing = Optional; if given, the mentor must be at the supporting school and the mentee at the receiving school.
tp-select = Select
tp-publish-selected = Publish selected drafts
tp-publish = Publish
tp-next-publish = This is a draft: check it and publish; both teachers are then notified.
tp-next-draft = This is a draft the bureau is still preparing.
tp-next-mentor = The pairing is active: complete the work plan and observe lessons as planned.
tp-next-mentee = The pairing is active: read the work plan and leave comments below.
tp-next-decide = A termination request waits for the bureau's decision.
tp-next-active = The pairing is active.
tp-next-end-reason = The pairing has ended: record your reason; the other side is told.
tp-next-ended = The pairing has ended.
tp-requested = Termination requested, reason:
tp-terminate-reason = Reason for termination:
tp-mentor-end-reason = The mentor's reason for ending
tp-mentee-end-reason = The mentee's reason for ending
tp-terminate-confirm = The pairing ends now for both teachers; their records stay. Give the reason; both sides are told.
tp-request-confirm = The bureau decides; until then the pairing goes on. Give the reason; the bureau and the other side are told.
tp-terminate = Terminate the pairing
tp-request-termination = Request termination
tp-end-reason-save = Save the reason
tp-end-reason = Record why it ended
tp-reason = Reason
tp-plan = Work plan
tp-plan-edit = Edit the work plan
tp-plan-empty-section = (not written yet)
tp-plan-analysis-ethics = Analysis · professional ethics
tp-plan-analysis-skill = Analysis · teaching skill
tp-plan-goals = Goals
tp-plan-measures-ethics = Measures · professional ethics
tp-plan-measures-teaching = Measures · teaching
tp-plan-measures-self = Measures · own development
tp-targets = Term targets
tp-target-observations = Mentee's lessons observed by the mentor
tp-target-attended = Mentor's demonstration/open lessons attended by the mentee
tp-target-reflections = Reflections
tp-target-contacts = Contacts
tp-their-text = Just saved by someone else:
tp-your-text = Your text (not saved):
tp-stale-hint = Someone else changed the work plan; your text was not saved and is not lost. Compare and save again. Last change:
tp-comments = Comments
tp-comment-new = Write a comment
tp-comment-send = Send comment
tp-timeline = Record of actions
tp-action-create = Draft created
tp-action-update = Draft edited
tp-action-publish = Published
tp-action-request_termination = Termination requested
tp-action-terminate = Terminated
tp-action-complete = Completed at the end of the year
tp-action-end_reason = Reason for ending recorded
tp-action-update_plan = Work plan edited
tp-action-comment = Comment
tp-flash-none-chosen = Select at least one draft.
tp-flash-published = Published.
tp-flash-terminated = The pairing was terminated.
tp-flash-requested = Termination requested; the bureau will decide.
tp-err-same-teacher = The mentor and the mentee cannot be the same teacher.
tp-err-no-teacher = There is no such teacher.
tp-err-teacher-inactive = This teacher is deactivated.
tp-err-no-year = There is no such academic year.
tp-err-mentor-full = This mentor already has { $max ->
    [one] 1 mentee
   *[other] { $max } mentees
}, the limit.
tp-err-mentee-taken = This mentee already has a pairing for this subject and year.
tp-err-mentor-not-supporter = The mentor must teach at the supporting school.
tp-err-mentee-not-receiver = The mentee must teach at the receiving school.
tp-err-school-pairing-inactive = The school pairing does not exist or is not active.
tp-err-stale-plan = Someone else changed the work plan; this save was not applied.
tp-err-plan-object = plan must be an object.
notice-tp-published-title = Teacher pairing published: { $mentor } → { $mentee }
notice-tp-published-body = The bureau published a teacher pairing: { $mentor } mentors { $mentee } ({ $subject }).
notice-tp-termination-requested-title = Termination requested: { $mentor } → { $mentee }
notice-tp-termination-requested-body = { $by } asks to terminate the pairing of { $mentor } and { $mentee }. Reason: { $reason }
notice-tp-terminated-title = Teacher pairing terminated: { $mentor } → { $mentee }
notice-tp-terminated-body = The bureau terminated the pairing of { $mentor } and { $mentee } ({ $subject }). Reason: { $reason }
tp-action-reject_termination = Termination request turned down
tp-flash-request-rejected = The termination request was turned down.
notice-tp-termination-rejected-title = Termination request turned down: { $mentor } → { $mentee }
notice-tp-termination-rejected-body = The bureau turned down the request to terminate the pairing of { $mentor } and { $mentee }; the pairing goes on.
notice-tp-end-reason-title = { $by } recorded why the pairing ended
notice-tp-end-reason-body = { $by }'s reason for ending: { $reason }
audit-entity-school = School
audit-entity-teacher = Teacher
audit-entity-user = Account
audit-entity-academic_year = Academic year
audit-entity-api_token = API token
audit-entity-settings = Settings
audit-entity-secondment = Secondment
audit-entity-contribution = Ledger item
audit-entity-mail = Mail
audit-entity-school_pairing = School pairing
audit-entity-teacher_pairing = Teacher pairing
audit-entity-rubric = Rubric
audit-entity-observation = Observation
audit-entity-reflection = Reflection
audit-entity-contact = Contact
audit-entity-session = Signed-in device
audit-entity-visit = Exchange visit
audit-entity-visit_photo = Visit photo
audit-entity-resource = shared resource
audit-entity-self_evaluation = self-evaluation
audit-entity-training_week = Training week
audit-what-school = the school
audit-what-teacher = the teacher
audit-what-user = the account
audit-what-academic_year = the academic year
audit-what-api_token = the API token
audit-what-settings = the settings
audit-what-secondment = the secondment
audit-what-contribution = the ledger item
audit-what-mail = the mail
audit-what-school_pairing = the school pairing
audit-what-teacher_pairing = the teacher pairing
audit-what-rubric = the rubric
audit-what-observation = the observation
audit-what-reflection = the reflection
audit-what-contact = the contact
audit-what-session = the signed-in device
audit-what-visit = the exchange visit
audit-what-visit_photo = the visit photo
audit-what-resource = shared resource
audit-what-self_evaluation = self-evaluation
audit-what-training_week = the training week
audit-did-create = { $actor } created { $what } { $record }
audit-did-create-contact = { $actor } logged a contact of the teacher pairing { $record }
audit-did-update = { $actor } changed { $what } { $record }
audit-did-update-settings = { $actor } changed { $record }
audit-did-delete = { $actor } deleted { $what } { $record }
audit-did-deactivate = { $actor } deactivated { $what } { $record }
audit-did-reactivate = { $actor } reactivated { $what } { $record }
audit-did-publish = { $actor } published { $what } { $record }
audit-did-request_termination = { $actor } asked to terminate { $what } { $record }
audit-did-reject_termination = { $actor } turned down the request to terminate { $what } { $record }
audit-did-terminate = { $actor } terminated { $what } { $record }
audit-did-complete = { $actor } completed { $what } { $record } as its academic year ended
audit-did-end_reason = { $actor } gave the reason why { $what } { $record } ended
audit-did-update_plan = { $actor } changed the work plan of { $what } { $record }
audit-did-comment = { $actor } commented on { $what } { $record }
audit-did-comment-teacher_pairing = { $actor } commented on the work plan of { $what } { $record }
audit-did-make-current = { $actor } made { $what } { $record } the current year
audit-did-new_version = { $actor } changed { $what } and saved it as a new version: { $record }
audit-did-setup = First setup: the bureau administrator account { $record } was created
audit-did-create-admin = The bureau administrator account { $record } was created from the command line
audit-did-request-reset = { $record } asked for a password reset
audit-did-send-reset = { $actor } sent a password reset link to { $what } { $record }
audit-did-reset-password = { $record } set a new password through the mailed link
audit-did-change-password = { $actor } changed their password
audit-did-end-session = { $actor } signed out one of their devices
audit-did-end-all-sessions = { $actor } signed out on every device
audit-did-create-token = { $actor } created { $what } { $record }
audit-did-revoke-token = { $actor } revoked { $what } { $record }
audit-did-retry = { $actor } sent { $what } { $record } again
audit-did-confirm = { $actor } confirmed receipt of { $what } { $record }
audit-did-dispute = { $actor } disputed { $what } { $record }
audit-did-submit = { $actor } submitted { $what } { $record }
audit-did-appraise = { $actor } appraised { $what } { $record }
audit-did-sign = { $actor } signed { $what } { $record }
audit-did-verify = { $actor } verified { $what } { $record }
audit-did-acknowledge = { $actor } acknowledged the result of { $what } { $record }
audit-did-return = { $actor } returned { $what } { $record }
audit-did-other = { $actor } acted on { $what } { $record }
audit-did-schedule_training = { $actor } scheduled training weeks on { $what } { $record }
audit-did-attend = { $actor } confirmed { $what } { $record } as attended
audit-did-miss = { $actor } confirmed { $what } { $record } as missed
audit-did-reopen = { $actor } undid the confirmation of { $what } { $record }
audit-name-settings = the settings
audit-name-rubric = { $name } (version { $version })
audit-name-observation = “{ $topic }” ({ $date })
audit-name-secondment = { $teacher } ({ $from } → { $to })
audit-name-mail = “{ $subject }” to { $to }
audit-gone = (no longer exists)
audit-changed = changed
audit-yes = Yes
audit-no = No
audit-rubric-shape = { $sections ->
        [one] 1 section
       *[other] { $sections } sections
    }, { $items ->
        [one] 1 item
       *[other] { $items } items
    }
audit-locale-zh-CN = Chinese
audit-locale-en = English
audit-field-other = Other
audit-field-locale = Language
audit-field-definition = Sections and items
audit-field-version = Version
audit-field-is-current-version = Latest version
audit-field-requested-by = Termination requested by
audit-field-request-reason = Reason for the request
audit-field-terminate-reason = Reason for terminating
audit-field-comment = Comment
pairings-propose-all = Propose teacher pairings

## Observations, reflections, contact log, rubric templates
nav-observations = Observations
nav-reflections = Reflections
nav-manage = Administration
nav-account = My account
nav-rubrics = Rubrics
manage-years-hint = Academic years and term dates.
manage-users-hint = Accounts, roles and password resets.
manage-rubrics-hint = The observation rubrics and their versions.
manage-settings-hint = Pairing limits, the excellent quota and other settings.
manage-audit-hint = Who changed what, and when.
manage-mail-hint = Mails that failed again and again.
login-expired-kept = Your session has expired. What you typed was kept and will be restored after you sign in.
flash-comment-sent = Comment sent.
lesson-kind-regular = Regular lesson
lesson-kind-open = Open lesson
lesson-kind-demonstration = Demonstration lesson
lesson-kind-research = Research lesson
lesson-mode-onsite = On site
lesson-mode-remote = Remote (synchronous classroom)
contact-kind-phone = Phone
contact-kind-sms = Text message
contact-kind-email = Email
contact-kind-online = Online meeting
contact-kind-visit = Visit
obs-title = Observations
obs-title-one = Lesson observation
obs-new = Record an observation
obs-edit = Edit the observation
obs-empty = No observations yet.
obs-empty-pairing = No observations yet — after a lesson, choose “Record an observation”.
obs-field-date = Date of the lesson
obs-field-class = Class
obs-hint-class = For example: Grade 7, Class 2
obs-field-subject = Subject
obs-field-topic = Topic
obs-field-kind = Kind of lesson
obs-field-mode = How
obs-field-recording = Recording link
obs-hint-recording = For a remote lesson, the address of its recording (optional).
obs-field-rubric = Rubric
obs-switch-rubric = Use this rubric
obs-field-strengths = Strengths
obs-field-suggestions = Suggestions
obs-field-comment = Overall comment
obs-field-observer = Observer
obs-field-observed = Teacher observed
obs-field-pairing = Pairing
obs-open-pairing = Open the teacher pairing
obs-points-of = out of { $max }
obs-hint-total = The total and the grade are computed from the weights.
obs-item = Item
obs-score = Score
obs-section-percent = Share of the section
obs-total = Total
obs-comments = Comments and replies
obs-no-comments = No comments yet.
obs-locked = The observed teacher has replied; this record is locked.
obs-next-author = You can edit this record until the observed teacher replies.
obs-next-reply = Read the feedback, then write a reflection or reply.
obs-filter-term = Term
obs-delete-title = Delete the observation
obs-delete-text = The observation and its comments will no longer be shown; the audit log keeps what was deleted. Delete it?
obs-flash-deleted = The observation was deleted.
obs-err-future = The date cannot be after today.
obs-err-before-year = The date cannot be before the academic year began ({ $date }).
obs-err-url = Enter an address starting with http:// or https://.
obs-err-mentee-kind = When the mentee attends the mentor's lesson, it is a demonstration or an open lesson.
obs-err-rubric = Choose a rubric that is in use.
obs-err-locked = The observed teacher has replied; the record is locked.
obs-err-stale = Someone saved this record while you were editing; your changes were not saved. Reload and edit again.
obs-err-pairing-not-active = Only an active pairing takes new records.
refl-title = Reflections
refl-new = Write a reflection
refl-edit = Edit the reflection
refl-write-about = Write a post-lesson reflection
refl-empty = No reflections yet.
refl-empty-pairing = No reflections yet — after a lesson, write down what went well and what to improve.
refl-field-observation = About the observation
refl-no-observation = (not about one observation)
refl-field-title = Title
refl-hint-title = Optional; without one, the first line serves as the title.
refl-field-body = Text
refl-hint-body = What you learnt from this lesson, what fell short, what you will try next. Nothing is lost if your session expires.
refl-restored = What you typed before your session expired has been restored. Check it, then save.
refl-about = About the observation:
refl-about-this = Reflections on this observation
refl-comments = Comments
refl-edited = edited
refl-err-observation = Choose an observation of this pairing.
refl-err-stale = This reflection was saved elsewhere (another window or device) while you were editing; your change was not saved.
refl-stale-saved = What is saved now
refl-stale-yours = The form below holds what you wrote; saving again keeps your text, or copy what you need and go back.
contact-title = Contact log
contact-empty = No contacts logged yet.
contact-new = Log a contact
contact-field-kind = How
contact-field-date = Date
contact-field-summary = Summary
contact-flash-saved = The contact was logged.
contact-flash-invalid-kind = Choose how you were in contact.
contact-flash-invalid-contacted_on = Enter a date no later than today.
contact-flash-invalid-summary = Enter a summary (at most 1,000 characters).
tp-action-observation = Lesson observation
tp-action-reflection = Reflection
rubrics-lead = The rubrics lessons are scored with. Editing one that has been used makes a new version; earlier observations keep theirs.
rubrics-weight = weights total { $weight }
rubrics-retired = retired
rubrics-old-version = This is an earlier version, kept for the observations scored with it.
rubrics-used = { $count ->
    [one] 1 observation was scored with this version.
   *[other] { $count } observations were scored with this version.
}
rubrics-versions = Versions:
rubrics-weight-col = Weight
rubrics-scale = Scale
rubrics-optional = optional
rubrics-bands = Grades
rubric-err-score-missing = Score this item.
rubric-err-score-range = The score must be between 0 and { $max }.
rubric-err-score-level = Choose one of the levels.
rubric-err-not-a-number = Enter a number.
rubric-err-unknown-item = The rubric has no item { $id }.
rubric-err-no-sections = Add at least one section.
rubric-err-no-items = Each section needs at least one item.
rubric-err-too-many = At most { $max }.
rubric-err-weight = The weight must be above 0 and at most { $max }.
rubric-err-max = The top score must be above 0 and at most { $max }.
rubric-err-levels-count = A scale has 2 to { $max } levels.
rubric-err-levels = Each level needs its own value (0–100) and a name.
rubric-err-bands-count = Give 1 to { $max } grades for the total.
rubric-err-band-min = A grade starts between 0 and 100.
rubric-err-band-twice = Two grades start at the same total.
rubric-err-band-zero = The lowest grade must start at 0.
rubric-err-not-current = Only the newest version of a rubric can be edited.
notice-obs-new-title = New observation: { $topic }
notice-obs-new-body = { $by } recorded the lesson “{ $topic }” of { $date }. Read the feedback and write a reflection.
notice-obs-comment-title = { $by } commented on the observation “{ $topic }”
notice-obs-comment-body = { $by } commented on the observation “{ $topic }”.
notice-refl-new-title = { $by } wrote a reflection
notice-refl-new-body = { $by } wrote the reflection “{ $title }”. Read it and comment.
notice-refl-comment-title = { $by } commented on the reflection “{ $title }”
notice-refl-comment-body = { $by } commented on the reflection “{ $title }”.
obs-err-people = That is not your part in this pairing: the mentor observes the mentee; the mentee attends the mentor's lesson.
progress-caption = Targets and what is done (done / target)
progress-behind = behind
progress-short-observations = observed
progress-short-attended = attended
progress-short-reflections = reflections
progress-short-contacts = contacts
growth-title = Growth
growth-empty = No observations yet; the growth chart appears once lessons are observed.
growth-averages = The average total of the first term with observations and of the latest.
growth-one = One observation so far ({ $date }, total { $total }). The growth chart appears once a second lesson is observed.
growth-svg = Download the chart (SVG)
growth-open = See the growth chart
rubrics-new = New rubric
rubrics-edit = Edit the rubric
rubrics-edit-used = { $count ->
    [one] 1 observation was scored with this version; saving makes a new version and it keeps its own.
   *[other] { $count } observations were scored with this version; saving makes a new version and they keep theirs.
}
rubrics-form-hint = Under each section, give the items, their weights and how they are scored. Empty rows are not saved; each save offers new empty rows.
rubrics-field-name = Name
rubrics-field-description = Description
rubrics-new-section = New section
rubrics-field-section = Section
rubrics-kind-points = Points
rubrics-kind-levels = Levels
rubrics-field-max = Top score (points)
rubrics-field-levels = Levels
rubrics-hint-levels = One level per line: value|name|descriptor, e.g. 4|Distinguished|Students take the lead
rubrics-hint-bands = A total reaching the lower limit gets the grade; the lowest grade starts at 0.
rubrics-field-band = Grade
rubrics-field-band-min = Lower limit
rubrics-retire = Retire
rubrics-reactivate = Bring back
rubric-flash-new-version = Saved as version { $version }.
rubric-flash-retired = The rubric was retired; new observations no longer use it.
rubric-flash-reactivated = The rubric is in use again.
obs-all-of-pairing = All observations of this pairing
obs-err-term-needs-year = A term needs its academic year (academic_year_id).

# Sessions (profile)
sessions-title = Signed-in devices
sessions-intro = These browsers and devices are signed in to your account. Sign out any you do not recognise, and change your password.
sessions-device = Browser
sessions-address = Network address
sessions-started = Signed in
sessions-last-seen = Last used
sessions-this = This device
sessions-end = Sign out
sessions-end-all = Sign out everywhere
sessions-unknown-browser = Unknown browser
flash-session-ended = That device was signed out.
flash-signed-out-everywhere = You were signed out on every device.
mail-secret-removed = Held a sign-in link, removed; send a new reset link
err-mail-secret-retry = This mail held a one-time link whose text was removed, so it cannot be sent again; send a new reset link.
err-pairing-ended-readonly = The pairing has ended: it can no longer be changed or commented on.
refl-err-link-fixed = This reflection is about an observation; that link cannot be changed or removed.
import-err-workbook-too-big = This workbook is too large once unpacked, or declares far more content than an import file has. Save it as a new .xlsx with one sheet, or as .csv, and upload again.
refl-link-fixed-hint = The observation a reflection is about stays as saved.

# Export column and sheet titles, the growth chart
export-sheet-schools = Schools
export-sheet-school = School
export-sheet-teachers = Teachers
export-sheet-users = Users
export-sheet-ledger = Support ledger
export-sheet-visits = Exchange visits
export-sheet-training = Training weeks
export-sheet-observations = Observations
export-sheet-reflections = Reflections
export-obs-date = Date
export-obs-topic = Topic
export-obs-class = Class
export-obs-subject = Subject
export-obs-kind-of-lesson = Kind of lesson
export-obs-how = How
export-obs-observer = Observer
export-obs-teacher-observed = Teacher observed
export-obs-total = Total
export-obs-grade = Grade
export-obs-strengths = Strengths
export-obs-suggestions = Suggestions
export-obs-overall-comment = Overall comment
export-refl-date = Date
export-refl-author = Author
export-refl-title = Title
export-refl-text = Text
growth-total = Total
# The grade bands a new rubric starts with (90, 75, 60, 0 points and up).
rubric-default-band-1 = Excellent
rubric-default-band-2 = Good
rubric-default-band-3 = Pass
rubric-default-band-4 = Fail

## To-do lists on the home pages
todo-title = To do
todo-none = Nothing is waiting for you.
todo-drafts-school = { $count ->
    [one] 1 school pairing draft to publish
   *[other] { $count } school pairing drafts to publish
}
todo-drafts-teacher = { $count ->
    [one] 1 teacher pairing draft to publish
   *[other] { $count } teacher pairing drafts to publish
}
todo-requests-school = School pairing termination requests to decide ({ $count })
todo-requests-teacher = Teacher pairing termination requests to decide ({ $count })
todo-behind = Teacher pairings behind this term's targets ({ $count })
todo-behind-hint = Each target is prorated over the part of the term gone by; a pairing published during the term counts from the day it was published.
todo-unreflected = Observations waiting for your reflection ({ $count })
todo-write-reflection = Write a reflection
todo-quiet = Pairings with no observation this month ({ $count })
todo-log-observation = Log an observation
todo-unread = Unread notices ({ $count })
todo-all = See all
todo-ledger = Support given to your school to confirm ({ $count })
todo-weeks = Training weeks over, attendance not yet marked ({ $count })
todo-documents = Self-evaluations waiting for you ({ $count })
kpi-observations-term = Observations this term
status-requested = Termination requested (awaiting decision)

## The shipped rubrics' band and level words
band-excellent = Excellent
band-good = Good
band-proficient = Proficient
band-fair = Fair
band-pass = Pass
band-basic = Basic
band-improve = Needs improvement
band-fail = Fail

## Choosing a teacher by name on a form
pick-teacher-hint = Type the teacher's name or staff number.
pick-teacher-chosen = Chosen:{" "}
pick-teacher-change = To change, type another teacher's name
pick-teacher-which = Choose one:
err-teacher-not-found = No active teacher has the name or staff number “{ $name }”.
err-teacher-choose = { $count } teachers match; choose one below.

## The school pairing form's direction check
err-pairing-direction = A supporting school is usually an urban or township school and the receiver a township or rural one; this pairing goes the other way (the supporter is less urban than the receiver). If that is intended, tick the confirmation below and save again.
pairings-confirm-direction = I have checked: this school supports the other one.

## The support ledger
ledger-title = Support ledger
ledger-new = Record support given
ledger-edit = Edit ledger item
ledger-item = Ledger item
ledger-empty = No support recorded yet. Record money and materials your school gives on the school pairing's page.
ledger-total-confirmed = Confirmed
ledger-total-recorded = Awaiting confirmation
ledger-total-disputed = Disputed
ledger-items = { $count ->
    [one] { $count } item
   *[other] { $count } items
}
ledger-field-given-on = Date
ledger-field-giver = Given by
ledger-field-receiver = Received by
ledger-field-kind = Kind
ledger-field-description = What
ledger-field-quantity = Quantity
ledger-field-value = Value
ledger-field-value-yuan = Value (yuan)
ledger-field-from-students = Given by students (hand in hand)
ledger-field-recorded-by = Recorded by
ledger-field-answered-by = Answered by
ledger-field-note = Receiver's note
ledger-field-pairing = School pairing
ledger-from-students = from students
ledger-see-pairing = See the pairing
ledger-see-items = See every item
ledger-hint-description = e.g. desks and chairs, books, projectors, bursaries
ledger-hint-value = 1234.56, 1,234.56 or 17.5万 (ten thousands)
ledger-hint-note = Optional to confirm; say why when you dispute.
ledger-answer = Confirm receipt
ledger-answer-help = Check what actually arrived, then confirm it or dispute it.
ledger-confirm = Confirm receipt
ledger-dispute = Dispute
contribution-kind-funds = Funds
contribution-kind-equipment = Equipment
contribution-kind-books = Books
contribution-kind-other = Other
ledger-status-recorded = Awaiting confirmation
ledger-status-confirmed = Confirmed
ledger-status-disputed = Disputed
ledger-action-edit = Edit
ledger-action-confirm = Confirm
ledger-action-dispute = Dispute
ledger-action-delete = Delete
ledger-err-future = The date cannot be after today.
ledger-err-pairing-not-active = Support can be recorded only on an active school pairing.
ledger-err-stage = This item is confirmed and can no longer be changed or answered.
ledger-err-stale = Someone changed this item in the meantime; reload it and try again.
notice-ledger-recorded-title = Support to confirm: { $school } recorded { $what } ({ $value })
notice-ledger-recorded-body = { $school } recorded { $what }, worth { $value }, as given to your school. Check what actually arrived and confirm it or dispute it.
notice-ledger-confirmed-title = { $school } confirmed receiving { $what }
notice-ledger-confirmed-body = { $school } confirmed receiving { $what } ({ $value }) from your school; it now counts in the confirmed support.
notice-ledger-disputed-title = { $school } disputed { $what }
notice-ledger-disputed-body = { $school } disputed { $what } ({ $value }) as your school recorded it: { $note } Check it and correct the item.
money-err-positive = The value must be more than zero.
money-err-format = Enter an amount such as 1234.56, 1,234.56 or 17.5万.
money-err-places = An amount has at most two decimals (fen).
money-err-places-wan = In 万 an amount has at most six decimals.
money-err-max = The value cannot exceed { $max }.

## Exchange visits (互访)
visit-title = Exchange visits
visit-new = Record a visit
visit-edit = Edit the visit
visit-empty = No visits recorded yet. Leader, teacher, training and student visits are recorded on a school pairing's page.
visit-kind-leader = Leader visit
visit-kind-teacher = Teacher visit
visit-kind-training = Training placement
visit-kind-student = Student exchange
visit-activity-open_class = Open lesson
visit-activity-demonstration_class = Demonstration lesson
visit-activity-lecture = Lecture
visit-activity-lesson_planning = Joint lesson planning
visit-activity-research = Teaching research
visit-field-kind = Kind of visit
visit-field-host = Host school
visit-field-guest = Visiting school
visit-field-starts-on = From
visit-field-ends-on = To
visit-field-dates = Dates
visit-field-teachers = Teachers taking part
visit-field-students = Students
visit-field-activities = Activities
visit-field-summary = Summary
visit-field-outcome = Outcome
visit-field-classes = Classes paired
visit-field-gift = What the students gave
visit-field-gift-value = Its value (yuan)
visit-field-recorded-by = Recorded by
visit-hint-teachers = Only teachers of the two paired schools.
visit-teacher-count = { $count ->
        [one] 1 teacher
       *[other] { $count } teachers
    }
visit-hint-students = Required for a student exchange.
visit-hint-summary = When, where, who, and what was done.
visit-student-part = Student exchange
visit-hint-student-part = Only for a student exchange.
visit-hint-classes = e.g. Class 7(2) with class 7(3)
visit-hint-gift = e.g. 300 books, 120 sets of stationery
visit-hint-gift-value = With a value, the gift goes into the support ledger as given by students, for the other school to confirm.
visit-gift-in-ledger = In the support ledger
visit-photos = Photos
visit-no-photos = No photos yet.
visit-photo-alt = Photo { $n } of the visit
visit-add-photos = Add photos
visit-hint-photos = Several at once; JPG or PNG, up to { $max_mb } MB each, at most { $max } per visit. Location and other camera data are removed.
visit-upload = Upload photos
visit-students-n = { $count ->
        [one] 1 student
       *[other] { $count } students
    }
visit-count-by-kind = Visits by kind
visit-see-all = See all visits
visit-err-host = The host must be one of the two paired schools.
visit-err-end-before-start = The end date cannot be before the start date.
visit-err-too-long = A visit cannot last more than a year.
visit-err-participant = Teachers taking part must teach at one of the two paired schools.
visit-err-too-many-teachers = At most { $max } teachers.
visit-err-students = Enter the number of students for a student exchange.
visit-err-gift-what = Say what the students gave.
visit-err-pairing-not-active = Visits can only be recorded on an active school pairing.
visit-err-stale = Someone else changed this visit; reload and try again.
photo-err-type = File { $n } is not a JPG or PNG photo.
photo-err-unreadable = File { $n } cannot be read; it may be damaged.
photo-err-too-big = Photo { $n } has too many pixels.
photo-err-too-large = Photo { $n } is larger than { $max } MB.
photo-err-body-too-large = The photos together are over the upload limit ({ $max } MB each); upload them a few at a time.
photo-err-none = Choose the photos to upload.
photo-err-too-many = At most { $max } photos per visit.

## Training weeks (跟岗培训)
week-title = Training weeks
week-schedule = Schedule training weeks
week-schedule-help = Makes a term's "one week a month at the urban school": the chosen week of each month (Monday to Friday) for each teacher chosen. Weeks already scheduled are not made again.
week-schedule-go = Make the schedule
week-field-term = Term
week-term-1 = First term
week-term-2 = Second term
week-field-week-of-month = Week of the month
week-nth = Week { $n }
week-field-teachers = Teachers to train
week-field-teacher = Teacher
week-field-host = Host school
week-field-guest = Teacher's school
week-field-starts-on = From
week-field-ends-on = To
week-field-week = Week
week-field-note = Note
week-field-answered-by = Confirmed by
week-field-weeks-added = Weeks added
week-no-candidates = The receiving school has no active teachers.
week-empty = No training weeks scheduled.
week-weeks = { $count ->
        [one] 1 week
       *[other] { $count } weeks
    }
week-see-all = See all training weeks
week-status-planned = To confirm
week-status-attended = Attended
week-status-missed = Missed
week-action-attend = Attended
week-action-miss = Missed
week-action-reopen = Undo
week-action-delete = Delete
week-err-stage = This week has changed meanwhile; reload and try again.
week-err-pairing-not-active = Training weeks can only be scheduled on an active school pairing.
week-err-teacher = Training weeks are only for active teachers of the receiving school.
week-err-no-teachers = Choose at least one teacher.
week-err-too-many = At most { $max } teachers at a time.
week-err-no-weeks = This term has no whole week to schedule.
week-flash-scheduled = { $count ->
        [one] 1 training week scheduled.
       *[other] { $count } training weeks scheduled.
    }

## Pairing activity timeline
activity-title = What was done
activity-empty = No visits, training weeks or ledger items yet.

## Resource library
resource-title = Resources
resource-new = Upload a resource
resource-upload = Upload
resource-field-file = File
resource-field-title = Title
resource-field-kind = Kind
resource-field-subject = Subject
resource-field-grade = Grade
resource-field-visibility = Shared with
resource-field-school-pairing = School pairing to share with
resource-field-teacher-pairing = Teacher pairing to share with
resource-hint-file = PDF, Word, Excel, PowerPoint, images (JPG/PNG), MP4 video or plain text, up to { $max } MB.
resource-hint-grade = For example: Grade 7, Senior 1.
resource-hint-school-pairing = When shared with a school pairing.
resource-hint-teacher-pairing = When shared with a teacher pairing.
resource-mine = Only what I uploaded
resource-empty = No resources you can see yet.
resource-uploaded = Uploaded by
resource-kind-theory = Educational theory
resource-kind-case = Teaching case
resource-kind-paper = Teaching paper
resource-kind-question_design = Question set design
resource-kind-test_paper = Test paper
resource-kind-lesson_plan = Lesson plan
resource-kind-courseware = Courseware
resource-visibility-everyone = Everyone
resource-visibility-school_pairing = Both schools of a school pairing
resource-visibility-teacher_pairing = The two teachers of a teacher pairing
resource-err-no-file = Choose a file to upload.
resource-err-empty = The file is empty.
resource-err-type = This type of file is not taken; allowed: { $types }.
resource-err-content = The file's content is not what its extension .{ $ext } says; it was not uploaded.
resource-err-too-large = The file is larger than { $max } MB; it was not uploaded.
resource-err-unreadable = The upload did not finish; choose the file again.
resource-err-pairing = Choose a pairing you belong to.
resource-err-pairing-not-active = This pairing is not active; nothing can be shared with it.
resource-see-shared = Resources shared with this pairing
resource-share = Share a resource

# Self-evaluations (issue 14)
se-title = Self-evaluations
se-my-title = My self-evaluation
se-new = Write this year's self-evaluation
se-begin = Begin
se-queue = Self-evaluations to review
se-empty = No self-evaluations yet.
se-field-year = Academic year
se-field-context = As
se-field-teacher = Teacher
se-field-school = School
se-field-appraiser = Appraising school
se-field-signer = Dispatching school
se-field-status = Status
se-field-ethics = Professional ethics
se-field-teaching = Teaching
se-field-results = Results of the support
se-field-improvement = Shortcomings and improvement
se-field-proposed-grade = Proposed grade
se-field-grade = Grade
se-field-comment = Opinion
se-field-reason = Why it goes back
se-field-final-grade = Final grade
se-hint-sections = At most 5,000 characters each. Once submitted it cannot be changed unless it is returned.
se-hint-context = Only a role you held this year: mentor, mentee or seconded teacher.
se-context-mentor = Mentor
se-context-mentee = Mentee
se-context-seconded = Seconded teacher
se-grade-excellent = Excellent
se-grade-competent = Competent
se-grade-basically_competent = Basically competent
se-grade-incompetent = Incompetent
se-status-draft = Draft
se-status-submitted = Awaiting appraisal
se-status-appraised = Appraised
se-status-signed = Signed by the dispatching school
se-status-verified = Verified
se-status-acknowledged = Acknowledged
se-action-edit = Edit
se-action-submit = Submit
se-action-appraise = Appraise
se-action-sign = Sign
se-action-verify = Verify
se-action-acknowledge = Acknowledge
se-action-return = Return
se-save = Save draft
se-save-submit = Save and submit
se-figures = This year's figures (counted from the data)
se-fig-pairings-mentor = Pairings as mentor
se-fig-pairings-mentee = Pairings as mentee
se-fig-observations-given = Lessons observed
se-fig-observations-received = Own lessons observed
se-fig-reflections = Reflections written
se-fig-visits = Exchange visits taken part in
se-fig-training = Training weeks (attended / scheduled)
se-figures-kept = Figures as submitted
se-steps = Opinions
se-step-appraise = Appraising school (annual staff appraisal)
se-step-sign = Dispatching school
se-step-verify = Bureau's secondment office
se-step-acknowledge = Acknowledged by the teacher
se-step-pending = Not yet
se-step-skipped = Not seconded: no dispatching school signs
se-returned = Returned: { $reason }
se-acknowledge-help = Acknowledging says you have seen the result, not that you agree with it.
se-quota-warning = Note: { $verified } verified at this school this year, { $excellent } of them Excellent; one more Excellent goes past the { $quota }% quota.
se-err-stage = This self-evaluation is not at a step where this can be done.
se-err-stale = Someone changed this self-evaluation in the meantime; reload it and try again.
se-err-exists = This year's self-evaluation has been begun already; edit that one.
se-err-context-mentor = You are nobody's mentor this year.
se-err-context-mentee = You are nobody's mentee this year.
se-err-context-seconded = You have no secondment this year.
se-no-teacher = Only a teacher's account writes a self-evaluation.
notice-se-waiting-title = { $teacher }'s self-evaluation waits for you
notice-se-waiting-body = { $teacher }'s self-evaluation has reached your step: read it and give your opinion or verify it.
notice-se-returned-title = { $teacher }'s self-evaluation was returned
notice-se-returned-body = Why: { $reason }
notice-se-verified-title = { $teacher }'s self-evaluation was verified
notice-se-verified-body = The bureau verified { $teacher }'s self-evaluation: see the result and acknowledge it.

## Year-end summaries
sum-title = Year-end summaries
sum-new = Write a summary
sum-begin = Begin
sum-empty = No summaries yet.
sum-field-year = Academic year
sum-field-kind = Summary
sum-field-author = Written by
sum-field-school = School
sum-field-status = Status
sum-field-comment = Remark
sum-field-reason = Why it goes back
sum-hint-kind = Only a summary the year's data allows: a secondment, a pairing as mentor, a school pairing on that side.
sum-hint-sections = At most 10,000 characters each. Once submitted it cannot be changed unless it is returned.
sum-kind-seconded = Secondment work summary
sum-kind-mentor = Mentor's pairing work summary
sum-kind-supporter = School summary (supporting school)
sum-kind-receiver = School summary (receiving school)
sum-status-draft = Draft
sum-status-submitted = Submitted
sum-status-accepted = Received
sum-action-edit = Edit
sum-action-submit = Submit
sum-action-accept = Mark as received
sum-action-return = Return
sum-section-ethics = Professional ethics
sum-section-teaching = Education and teaching
sum-section-growth = Own growth
sum-section-results = Results
sum-section-remaining = What is left to do
sum-section-overview = Overview
sum-section-practices = What we did
sum-section-outcomes = Results achieved
sum-section-problems = Problems
sum-section-plans = Next steps
sum-save = Save draft
sum-save-submit = Save and submit
sum-print = Print
sum-figures = Figures of the year (counted from the data)
sum-figures-kept = Figures as submitted
sum-fig-pairings_as_mentor = Pairings as mentor
sum-fig-pairings_as_mentee = Pairings as mentee
sum-fig-observations_given = Lessons observed
sum-fig-observations_received = Own lessons observed
sum-fig-reflections = Reflections written
sum-fig-visits = Exchange visits taken part in
sum-fig-training_weeks = Training weeks (attended / scheduled)
sum-fig-school_pairings = School pairings
sum-fig-teacher_pairings = Teacher pairings
sum-fig-teachers_seconded = Teachers seconded
sum-fig-batch = Person-times, batch { $batch }
sum-fig-observations = Lesson observations
sum-fig-training_weeks_attended = Training weeks attended
sum-fig-support_confirmed = Support confirmed
sum-fig-support_waiting = Support awaiting confirmation
sum-submitted = Submitted { $when } by { $who }
sum-accepted = Received { $when } by { $who }
sum-returned = Returned: { $reason }
sum-signature = Signature
sum-date = Date
sum-err-stage = This summary is not at a step where this can be done.
sum-err-stale = Someone changed this summary in the meantime; reload it and try again.
sum-err-exists = This summary has been begun already; edit that one.
sum-err-kind-seconded = You have no secondment this year.
sum-err-kind-mentor = You are nobody's mentor this year.
sum-err-kind-supporter = Your school supports no school this year.
sum-err-kind-receiver = Your school receives support from no school this year.
notice-sum-waiting-title = A year-end summary waits for you: { $author }
notice-sum-waiting-body = { $author } submitted a year-end summary: read it and mark it as received, or return it.
notice-sum-accepted-title = Your year-end summary was received
notice-sum-accepted-body = The year-end summary of { $author } was marked as received.
notice-sum-returned-title = Your year-end summary was returned
notice-sum-returned-body = Why: { $reason }
audit-did-accept = { $actor } marked { $what } { $record } as received
audit-entity-summary = year-end summary
audit-what-summary = year-end summary
nav-year-end = Year-end
year-end-tabs = Year-end documents
se-bulk-pick = Choose
se-bulk-verify = Verify the chosen ones with this grade
se-bulk-help = Tick the self-evaluations to verify and choose one final grade for all of them. Marked rows would take their school past the { $quota }% Excellent quota if rated Excellent.
se-bulk-verified = { $count } self-evaluations verified.
se-over-quota = Excellent quota reached
se-over-quota-help = One more Excellent at this school would pass the { $quota }% quota of its verified self-evaluations this year.
se-appraised-as = Appraised:
se-err-pick = Choose at least one self-evaluation.
se-err-pick-many = Choose at most { $max } at a time.
se-err-bulk = Nothing was verified: one of the chosen self-evaluations changed or no longer waits for verification. The list shows where each stands now.
se-err-bulk-grade = Choose the final grade; nothing was verified.
se-form-title = Self-evaluation form of a paired teacher
field-se-deadline = Self-evaluation deadline (days before the year ends)
hint-se-deadline = Self-evaluations are due this many days before the academic year's last day (0 to 120).
field-se-reminder = Remind teachers (days before the deadline)
hint-se-reminder = Teachers who have not submitted their self-evaluation get one reminder this many days before the deadline (1 to 60).
field-waiting-reminder = Remind whoever's turn it is (days at one step)
hint-waiting-reminder = A year-end document waiting at one step this many days reminds its next actor once (1 to 60).
notice-se-deadline-title = Your self-evaluation is due on { $deadline }
notice-se-deadline-body = The { $year } self-evaluation is due on { $deadline }. Write it and submit it to your school before then.
notice-se-overdue-title = { $teacher }'s self-evaluation has waited { $days } days
notice-se-overdue-body = { $teacher }'s self-evaluation has waited { $days } days at your step: give your opinion, verify or acknowledge it.
notice-sum-overdue-title = A year-end summary has waited { $days } days: { $author }
notice-sum-overdue-body = The year-end summary of { $author } has waited { $days } days for you to mark it as received or return it.
todo-summaries = Year-end summaries waiting for you ({ $count })
sum-empty-teacher = A teacher writes a work summary for a year in which they were seconded or mentored someone.
sum-field-sections = Text

## Bureau dashboard (issue 15)
board-title = Overview
board-all-districts = All districts
board-show = Show
kpi-schools-paired = Schools paired
kpi-school-pairings = { $count } school pairings
kpi-teacher-pairings-active = Teacher pairings active
kpi-teacher-pairings-completed = { $count } completed
kpi-seconded = Secondments (person-times)
kpi-batch = Batch { $batch }: { $count }
kpi-planned = { $count } planned
kpi-plan-to-date = to date { $seconded } of { $planned } planned
kpi-observations-year = Observations this year
kpi-terms = First term { $first } · second { $second }
kpi-visits = Exchange visits
kpi-weeks-attended = Training weeks attended
kpi-support-confirmed = Support confirmed
kpi-support-waiting = { $amount } awaiting confirmation
kpi-excellent = Verified excellent
kpi-se-total = { $count } self-evaluations in all
chart-observations-month = Observations per month
chart-visits-kind = Exchange visits by kind
chart-scores = Observation scores
chart-score-under-60 = Under 60
chart-steps = Year-end progress
chart-districts = Districts side by side
chart-districts-hint = Observations · teacher pairings
chart-month = { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
    [12] Dec
   *[other] { $month }
}
board-overdue = Year-end documents waiting more than { $days } days
board-overdue-none = Nothing is overdue.
board-since = since { $date }

## Annual report (issue 15)
report-title = Urban–rural school pairing: annual report { $year }
report-nav = Annual report
report-section-overview = Overview
report-section-practices = What was done
report-section-outcomes = Results
report-section-problems = Problems
report-section-plans = Next steps
report-drafted = This text was drafted from the year's data: check it, change it and save.
report-kept = Saved (version { $version }, { $when }). The table of figures always shows the current data.
report-save = Save the report
report-docx = Download as Word
report-xlsx = Download every figure (Excel)
report-print = Print
report-err-stale = Someone else changed the report: read their version, then save again.
report-theirs = Their saved text
report-col-group = Group
report-col-figure = Figure
report-col-value = Value
report-col-teacher-pairings = Teacher pairings
report-col-observations = Observations
report-col-weeks = Training weeks
report-col-verified = Self-evaluations verified
report-sheet-figures = Figures
report-sheet-districts = Districts
report-group-pairings = Pairings
report-group-secondments = Secondments
report-group-observations = Observations
report-group-visits = Exchange visits
report-group-training = Training
report-group-support = Support
report-group-year-end = Year-end
report-fig-school-pairings = School pairings
report-fig-teacher-pairings = Teacher pairings: { $status }
report-fig-batch = Batch { $batch } (person-times)
report-fig-month = Observations { $year }-{ $month }
report-fig-score = Score { $band }
report-fig-weeks = Training weeks: { $status }
report-fig-support = Support (yuan): { $status }
report-fig-documents = Self-evaluations: { $status }
report-fig-grade = Final grade: { $grade }
report-draft-overview = In { $year }, { $schools ->
    [one] { $schools } school
   *[other] { $schools } schools
} { $districts ->
    [1] of the district
   *[other] in { $districts } districts
} took part in urban–rural pairing: { $school_pairings ->
    [one] { $school_pairings } school pairing
   *[other] { $school_pairings } school pairings
} and { $teacher_pairings ->
    [one] { $teacher_pairings } teacher pairing
   *[other] { $teacher_pairings } teacher pairings
}. { $seconded ->
    [one] { $seconded } secondment (person-time) was
   *[other] { $seconded } secondments (person-times) were
} made; { $observations ->
    [one] { $observations } lesson was
   *[other] { $observations } lessons were
} observed, { $visits ->
    [one] { $visits } exchange visit
   *[other] { $visits } exchange visits
} made and { $weeks ->
    [one] { $weeks } training week
   *[other] { $weeks } training weeks
} attended; support confirmed by the receiving schools came to { $support }. { $documents ->
    [one] { $documents } self-evaluation was
   *[other] { $documents } self-evaluations were
} received at year end, { $excellent } verified excellent.
report-draft-batch = batch { $batch }: { $count }
report-draft-visit = { $kind }: { $count }
report-draft-pairings = Schools and teachers paired: { $school_pairings ->
    [one] { $school_pairings } school pairing
   *[other] { $school_pairings } school pairings
}; teacher pairings { $active } active and { $completed } completed; { $observations ->
    [one] { $observations } lesson
   *[other] { $observations } lessons
} observed, each scored with suggestions.
report-draft-secondments = Teachers seconded: { $seconded ->
    [one] { $seconded } person-time
   *[other] { $seconded } person-times
} ({ $batches }), taking part in the receiving schools' teaching and year-end appraisal.
report-draft-no-secondments = Teachers seconded: none recorded this year.
report-fig-planned-to-date = Teachers planned for secondment, to date
report-fig-seconded-to-date = Secondments (person-times), to date
report-draft-plan = Under the pairing plan { $planned ->
    [one] { $planned } teacher is
   *[other] { $planned } teachers are
} to be seconded to rural schools; since { $since }, { $years ->
    [one] { $years } year
   *[other] { $years } years
} of rotation have seconded { $seconded ->
    [one] { $seconded } person-time
   *[other] { $seconded } person-times
}.
report-draft-visits = Exchange visits: { $visits } ({ $kinds }).
report-draft-training = Training: { $attended ->
    [one] { $attended } week
   *[other] { $attended } weeks
} attended by teachers of the receiving schools, { $planned } more to confirm.
report-draft-support = Support: { $confirmed } confirmed by the receiving schools, { $waiting } awaiting confirmation; every item is in the open ledger.

## Effectiveness review (issue 15)
review-title = Effectiveness review
review-nav = Review
review-lead = Look at what each pairing achieved and mark it renew, adjust or end; next year's pairings are drafted from the marks.
review-field-kind = Kind of pairing
review-kind-school = School pairing
review-kind-teacher = Teacher pairing
review-field-mark = Mark
review-mark-renew = Renew
review-mark-adjust = Adjust
review-mark-end = End
review-field-note = Note
review-note-hint = Say why when adjusting or ending.
review-field-school-pairing = School pairing
review-field-teacher-pairing = Teacher pairing
review-field-carried-to = Next year's draft
review-unmarked = Not marked
review-none = No pairings to review this year.
review-prepared = carried to next year
review-prepared-hint = Next year was drafted from this mark: it can no longer be changed.
review-results = This year's results
review-score = Mentee's average score (first term → latest term)
review-mark-title = Mark
review-save = Save the mark
review-err-note = Say why when adjusting or ending.
review-err-stale = Someone else changed this mark: read it, then save again.
review-err-prepared = Next year was drafted from this mark: it can no longer be changed.
review-err-no-next-year = Next academic year does not exist yet: create it first.
review-prepare = Prepare next year
review-preview = This is a preview: confirm to draft all of it in one step.
review-applied = { $count } drafts made.
review-refused = Some pairings cannot be drafted (reasons below): nothing was changed.
review-apply = Draft them
review-nothing = Nothing marked this year yet.
review-open-draft = Open the draft
review-unmarked-count = { $school } school pairings and { $teacher } teacher pairings are not marked and will not be carried over.
review-outcome-drafted = drafted for next year
review-outcome-done = already drafted
review-outcome-runs = already runs into next year: nothing to draft
review-outcome-ended = not carried over
review-outcome-refused = cannot be drafted
audit-did-mark = { $actor } marked { $what } { $record }
audit-did-prepare_next_year = { $actor } prepared next year's pairings from the review
audit-entity-annual_report = Annual report
audit-what-annual_report = the annual report
audit-entity-review = Effectiveness review
audit-what-review = the review
policy-subject-annual_report = Annual report
policy-subject-review = Effectiveness review
report-figures-count = Every figure ({ $count })
review-err-refused-item = { $pairing }: { $reason }
review-mark-filter-renew = Renew
review-mark-filter-adjust = Adjust
review-mark-filter-end = End
review-mark-filter-none = Not marked
