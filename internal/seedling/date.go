package seedling

import (
	"errors"
	"time"
)

// DateLayout is how dates travel in the API and in forms.
const DateLayout = "2006-01-02"

// errDateRange is the answer for a well-formed date outside MinYear..MaxYear.
var errDateRange = errors.New("date is outside 1900-01-01..2100-12-31")

// ParseDate reads a YYYY-MM-DD date as midnight UTC. Dates in this domain are
// civil dates (a meeting, a talk); time zones play no part. Only dates from
// MinYear to MaxYear are dates of this process: 0000-01-01 is a probe.
func ParseDate(s string) (time.Time, error) {
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, err
	}
	if d.Before(minDate) || d.After(maxDate) {
		return time.Time{}, errDateRange
	}
	return d, nil
}

// Today is the civil date in China, where every deadline of the process falls.
func Today(now time.Time) time.Time {
	y, m, d := now.In(chinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// chinaTime is a fixed UTC+8 zone: China has no daylight saving, and a fixed
// zone keeps the binary free of the tz database on minimal hosts.
var chinaTime = time.FixedZone("CST", 8*3600)
