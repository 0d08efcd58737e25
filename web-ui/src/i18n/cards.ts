/**
 * @module i18n/cards
 * The knowledge cards' words (知识卡片, the entity page, related works and courses), Chinese first.
 */
import { locale } from './index.js'

const zh = {
  lectureCards: '知识卡片',
  keywords: '关键词',
  works: '作品',
  courses: '课程',
  lectures: '讲座',
  related: '相关',
  timeline: '年表',
  graph: '关系图',
  relatedWorks: '相关作品',
  relatedCourses: '相关课程',
  more: '查看全部',
  total: '共 {n} 条',
  saidTimes: '提及 {n} 次',
  person: '人物',
  subject: '主题',
  class: '分类',
  place: '地点',
  work: '作品',
  term: '词语',
  notFound: '目录中没有关于它的记录。',
}
type Key = keyof typeof zh

const en: Record<Key, string> = {
  lectureCards: 'Knowledge cards',
  keywords: 'Keywords',
  works: 'Works',
  courses: 'Courses',
  lectures: 'Lectures',
  related: 'Related',
  timeline: 'Timeline',
  graph: 'Relations',
  relatedWorks: 'Related works',
  relatedCourses: 'Related courses',
  more: 'See all',
  total: '{n} records',
  saidTimes: 'said {n} times',
  person: 'Person',
  subject: 'Subject',
  class: 'Class',
  place: 'Place',
  work: 'Work',
  term: 'Term',
  notFound: 'The catalogue holds nothing about it.',
}

export function kt(key: Key, vars: Record<string, string | number> = {}): string {
  return (locale() === 'en' ? en : zh)[key].replace(/\{(\w+)\}/g, (_m, k: string) => String(vars[k] ?? ''))
}
