package seedling

import "time"

// DateLayout is how dates travel in the API and in forms.
const DateLayout = "2006-01-02"

// ParseDate reads a YYYY-MM-DD date as midnight UTC. Dates in this domain are
// civil dates (a meeting, a talk); time zones play no part.
func ParseDate(s string) (time.Time, error) {
	return time.Parse(DateLayout, s)
}

// Today is the civil date in China, where every deadline of the process falls.
func Today(now time.Time) time.Time {
	y, m, d := now.In(chinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// chinaTime is a fixed UTC+8 zone: China has no daylight saving, and a fixed
// zone keeps the binary free of the tz database on minimal hosts.
var chinaTime = time.FixedZone("CST", 8*3600)
