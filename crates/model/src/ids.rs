//! Identifiers of the records the model links together.

string_id!(
    /// A school's id (学校标识码 or any id unique in the roster).
    SchoolId,
    "school"
);
string_id!(
    /// A student's id (学籍号 or any id unique in the roster).
    StudentId,
    "student"
);
string_id!(
    /// A household's id (户编号 in the poverty register, or any unique id).
    HouseholdId,
    "household"
);
string_id!(
    /// An aid program's id, e.g. `living-subsidy` or `nutrition`. The
    /// eligibility crate defines the built-in programs; the model only
    /// carries the id so that disbursements can name what they paid.
    ProgramId,
    "program"
);
