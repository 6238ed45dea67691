package seedling

import "time"

// Stage is where a person stands on the way into the party.
type Stage string

const (
	StageApplicant    Stage = "applicant"    // 入党申请人
	StageActivist     Stage = "activist"     // 入党积极分子
	StageTarget       Stage = "target"       // 发展对象
	StageProbationary Stage = "probationary" // 预备党员
	StageFull         Stage = "full"         // 正式党员
	StageDisqualified Stage = "disqualified" // 取消入党资格
	StageWithdrawn    Stage = "withdrawn"    // 本人撤回
)

// Stages lists every stage in process order, the two ends last.
var Stages = []Stage{StageApplicant, StageActivist, StageTarget, StageProbationary, StageFull, StageDisqualified, StageWithdrawn}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	for _, x := range Stages {
		if x == s {
			return true
		}
	}
	return false
}

// Final reports whether no further step is possible from s.
func (s Stage) Final() bool {
	return s == StageFull || s == StageDisqualified || s == StageWithdrawn
}

// PriorityGroup is one of the groups the Ruzhou plan looks to first when it
// selects activists (选好苗).
type PriorityGroup string

const (
	GroupIndustrialWorker PriorityGroup = "industrial_worker" // 产业工人
	GroupYoungFarmer      PriorityGroup = "young_farmer"      // 青年农民
	GroupHighlyEducated   PriorityGroup = "highly_educated"   // 高知识群体
	GroupStudent          PriorityGroup = "student"           // 大学生
	GroupNonPublic        PriorityGroup = "non_public"        // 非公企业从业人员
	GroupSocialOrg        PriorityGroup = "social_org"        // 社会组织从业人员
)

// PriorityGroups lists the groups in the order the seed names them.
var PriorityGroups = []PriorityGroup{GroupIndustrialWorker, GroupYoungFarmer, GroupHighlyEducated, GroupStudent, GroupNonPublic, GroupSocialOrg}

// Valid reports whether g is a known group.
func (g PriorityGroup) Valid() bool {
	for _, x := range PriorityGroups {
		if x == g {
			return true
		}
	}
	return false
}

// Candidate is a person somewhere on the way from application to full
// membership. StageSince is when the current stage began.
type Candidate struct {
	ID            int64
	OrgID         int64
	OrgName       string
	OrgPath       string
	Name          string
	Gender        string
	BirthDate     *time.Time
	IDNumber      IDNumber // empty when not given; show it Masked() to all but the organisation department
	Occupation    string
	PriorityGroup *PriorityGroup
	ReservePool   bool // 青年党员后备人才信息库
	FrontLine     bool // stood out on the front line (抗疫抢险救灾, 四重一线)
	Stage         Stage
	AppliedOn     time.Time
	ActivistSince *time.Time
	StageSince    time.Time
	UserID        *int64
}
