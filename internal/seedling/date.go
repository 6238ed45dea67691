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

// InChina is an instant as a person in China reads it on a clock.
func InChina(t time.Time) time.Time { return t.In(chinaTime) }

// chinaTime is a fixed UTC+8 zone: China has no daylight saving, and a fixed
// zone keeps the binary free of the tz database on minimal hosts.
var chinaTime = time.FixedZone("CST", 8*3600)

// AddMonths adds n calendar months to a civil date, keeping to the last day
// of a shorter month: one month after 31 January is 28 (or 29) February, and
// "one year" after 29 February is 28 February of the next year. This is how
// the Civil Code counts a period in months or years (民法典 第二百零三条: 没有
// 对应日的，月末日为期间的最后一日), and it is the one date arithmetic of
// every time rule: time.AddDate would overflow into March and so move a
// deadline later than the rules allow. A period that starts on day D ends on
// AddMonths(D, n); the act it waits for may be dated that day.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC)
}
