package pipeline

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"seedling/internal/seedling"
)

// rulesArticles is a citation of numbered articles of the 细则.
var rulesArticles = regexp.MustCompile(`^细则 (第[一二三四五六七八九十]+条(?:、第[一二三四五六七八九十]+条)*)$`)

// citations word the rules' articles that are not numbered articles of
// the 细则: the local plan's provisions and the system's own checks.
var citations = map[string]string{
	"汝州市育苗计划（一步一审，三次审核不通过取消入党资格）":        "rule.article.plan_strikes",
	"汝州市育苗计划（对有异议的及时核实、纠正）":              "rule.article.plan_objections",
	"汝州市育苗计划（留精苗：每季度、每半年公示）":             "rule.article.plan_display",
	"汝州市育苗计划（育壮苗：百分制量化考核 80 分以上可列为发展对象）": "rule.article.plan_score",
	"系统校验：所报事项须已发生（非细则条文）":               "rule.article.check_happened",
	"系统校验：日期先后（非细则条文）":                   "rule.article.check_order",
	"系统校验：补录须说明原因（非细则条文）":                "rule.article.check_late",
	"细则 第一章（发展党员工作规划和年度计划）":              "rule.article.rules_chapter1",
	noticeArticle: "rule.article.notice",
}

// Cite is the coded form of a rule's article: "细则 第十一条、第十三条"
// is rule.article with Doc "rules2014" and Articles "11, 13" (in Chinese
// as the 细则 numbers them); every other citation has a key
// of its own. An article not known here has no key, which a test of the
// shipped rule sets refuses.
func Cite(article string) seedling.Problem {
	if key, ok := citations[article]; ok {
		return seedling.Problem{Key: key}
	}
	m := rulesArticles.FindStringSubmatch(article)
	if m == nil {
		return seedling.Problem{}
	}
	var nums []string
	for _, a := range strings.Split(m[1], "、") {
		n := chineseNumber(strings.TrimSuffix(strings.TrimPrefix(a, "第"), "条"))
		if n <= 0 {
			return seedling.Problem{}
		}
		nums = append(nums, strconv.Itoa(n))
	}
	return seedling.Problem{Key: "rule.article", Params: seedling.Params("Doc", "rules2014", "Articles", seedling.Words{Zh: m[1], En: strings.Join(nums, ", ")})}
}

// chineseNumber reads a numeral from 一 to 九十九 as the 细则 numbers its
// articles, or 0.
func chineseNumber(s string) int {
	digit := func(r string, empty int) int { // 1..9, empty for "", else -100
		if r == "" {
			return empty
		}
		if i := strings.Index("一二三四五六七八九", r); i >= 0 && utf8.RuneCountInString(r) == 1 {
			return i/len("一") + 1
		}
		return -100
	}
	tens, ones, ok := strings.Cut(s, "十")
	if !ok {
		return max(digit(s, 0), 0)
	}
	return max(10*digit(tens, 1)+digit(ones, 0), 0)
}
