package seedling

import (
	"fmt"
	"strings"
	"time"
)

// IDNumber is a 居民身份证号码 (GB 11643-1999), normalised to upper case: six
// digits of region, eight of birth date, three of sequence and one check
// character (0-9 or X, ISO 7064 MOD 11-2).
type IDNumber string

// idWeights are 2^(17-i) mod 11, the weights of ISO 7064 MOD 11-2.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// ParseIDNumber checks the shape, the region's first digit, the birth date
// and the check character of an identity number.
func ParseIDNumber(field, s string) (IDNumber, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 18 {
		return "", FieldError(field, field+" must be 18 characters")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", FieldError(field, field+" must be 17 digits and a check digit or X")
		}
		sum += int(s[i]-'0') * idWeights[i]
	}
	// Region codes begin with 1-8 (the regions of the mainland, Taiwan,
	// Hong Kong and Macao) or 9 (permanent residents of foreign nationality).
	if s[0] == '0' {
		return "", FieldError(field, field+" has no valid region code")
	}
	if _, err := ParseDate(s[6:10] + "-" + s[10:12] + "-" + s[12:14]); err != nil {
		return "", FieldError(field, field+" holds no valid birth date")
	}
	want := "10X98765432"[sum%11]
	if s[17] != want {
		return "", FieldError(field, field+" check digit does not match")
	}
	return IDNumber(s), nil
}

// BirthDate is the date of birth the number carries.
func (n IDNumber) BirthDate() time.Time {
	d, _ := time.Parse("20060102", string(n)[6:14])
	return d
}

// Masked shows the first four and the last four characters only: enough to
// tell two people apart on a list, not enough to use the number.
func (n IDNumber) Masked() string {
	if len(n) != 18 {
		return ""
	}
	return string(n)[:4] + strings.Repeat("*", 10) + string(n)[14:]
}

// MinApplicantAge is the age at which a person may apply (党章 第一条: 年满十八岁).
const MinApplicantAge = 18

// OldEnough reports whether someone born on birth is at least
// MinApplicantAge on the date on. Someone born on 29 February comes of age
// on 1 March in a common year.
func OldEnough(birth, on time.Time) bool {
	return !on.Before(birth.AddDate(MinApplicantAge, 0, 0))
}

// CheckApplicantAge refuses an application made before the eighteenth
// birthday; field names the input the birth date came from.
func CheckApplicantAge(field string, birth, appliedOn time.Time) error {
	if OldEnough(birth, appliedOn) {
		return nil
	}
	why := "an applicant must be at least 18 on the date of application (党章第一条)"
	e := &Error{Code: ERule, Message: why, Fields: map[string]string{field: why}}
	return e.Keyed("problem.applicant_under_18").KeyedField(field, "problem.applicant_under_18")
}

// IDNumberInUse is the answer when a new record would repeat the identity
// number of an earlier one that has not withdrawn: a person is one
// candidate at a time, and a disqualified person is not entered again. The
// earlier record is named so the clerk can find it.
func IDNumberInUse(earlierID int64, earlierStage Stage) error {
	why, key := fmt.Sprintf("id_number is already recorded for candidate %d", earlierID), "problem.id_number_in_use"
	if earlierStage == StageDisqualified {
		why, key = fmt.Sprintf("id_number belongs to candidate %d, who was disqualified and may not be entered again", earlierID), "problem.id_number_disqualified"
	}
	e := &Error{Code: EConflict, Message: why, Fields: map[string]string{"id_number": why}}
	return e.Keyed(key, "ID", earlierID).KeyedField("id_number", key, "ID", earlierID)
}
