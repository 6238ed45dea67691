package synth

import "math/rand/v2"

// The words the province is made of. Names are drawn, not listed, so a
// province of 300,000 people has few exact repeats.
var (
	surnames  = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢")
	given     = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅志海鹏飞玉兰晨宇浩然思雨子涵欣怡梓轩佳琪")
	placeHead = []rune("东西南北中青白石金山河湖云龙凤安宁平和新兴永长清德福顺")
	placeTail = []rune("山河桥岭湾坪庄店湖川岗沟营源口集")

	branchKinds = []string{"村党支部", "社区党支部", "居委会党支部", "公司党支部", "学校党支部", "卫生院党支部", "合作社党支部"}
	numerals    = []string{"一", "二", "三", "四"}

	occupations    = []string{"农民", "村干部", "产业工人", "教师", "医生", "护士", "个体经营者", "企业职员", "大学生", "退役军人", "合作社社员", "社区工作者"}
	priorityGroups = []string{"industrial_worker", "young_farmer", "highly_educated", "student", "non_public", "social_org"}
	returnReasons  = []string{"培养教育考察材料不完整，请补充", "群众评议意见未附", "培养联系人意见缺失", "积分未达到 80 分"}
	revokeReasons  = []string{"重复录入，予以冲销", "分值录入错误，冲销后重新录入", "日期录入错误，予以冲销"}
)

func personName(r *rand.Rand) string {
	n := []rune{surnames[r.IntN(len(surnames))], given[r.IntN(len(given))]}
	if r.IntN(3) > 0 {
		n = append(n, given[r.IntN(len(given))])
	}
	return string(n)
}

func place(r *rand.Rand) string {
	return string([]rune{placeHead[r.IntN(len(placeHead))], placeTail[r.IntN(len(placeTail))]})
}
