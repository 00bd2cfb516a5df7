"""Keywords for the themes of the shipped bundle (fixtures/tokuchi-2023-nss-commentary.json), so that the proposer
suggests them for passages that use those words. Only themes whose keywords are still empty get them; new databases
get them from the bundle itself."""

from typing import Any

from django.db import migrations

#: Keywords by theme slug, ";"-separated.
KEYWORDS = {
    "alliance-framework": "alliance roles and missions; roles and missions; Defense Guidelines; Guidelines for Japan-U.S. Defense Cooperation; common strategic objectives; alliance cooperation; 役割・任務; ガイドライン; 防衛協力のための指針; 共通戦略目標; 同盟協力",
    "defence-posture": "military force; defense capabilities; defence capabilities; counterstrike; defense buildup; Multi-Domain Defense Force; deterrence; 防衛力; 反撃能力; 防衛力整備; 抑止力",
    "cyber": "cyber; cybersecurity; cyber security; active cyber defense; cyberattack; サイバー; 能動的サイバー防御",
    "maritime-security": "maritime security; maritime; sea lane; sea lanes; South China Sea; coast guard; law enforcement at sea; 海洋安全保障; 海上交通路; シーレーン; 南シナ海; 海上保安; 海洋",
    "defence-equipment": "arms transfers; defense equipment; defence equipment; equipment and technology; 防衛装備; 装備移転; 技術移転",
    "capacity-building": "capacity building; grant aid; security assistance; training assistance; 能力構築; 無償資金協力; 安全保障能力強化支援",
    "exercises-training": "joint exercises; exercises; joint training; drills; 共同訓練; 演習; 訓練",
    "domain-awareness": "domain awareness; maritime domain awareness; MDA; information sharing; 状況把握; 海洋状況把握; 情報共有",
    "diplomacy-dialogue": "Track 1.5; Track 2; Track 1; dialogue; diplomacy; shuttle diplomacy; consultations; 2+2; 対話; 外交; 協議; トラック1.5",
    "hadr-climate": "humanitarian assistance; disaster relief; HA/DR; climate security; climate change; 人道支援; 災害救援; 気候安全保障; 気候変動",
    "whole-of-government": "whole-of-government; whole of government; law-enforcement; law enforcement; comprehensive national power; 政府一体; 総合的な国力; 法執行",
    "regional-architecture": "security architecture; alliance network; networking; like-minded; multilateral; 安全保障アーキテクチャ; 同盟ネットワーク; 同志国; ネットワーク化; 多国間",
    "foip": "FOIP; Free and Open Indo-Pacific; 自由で開かれたインド太平洋",
    "contingency-planning": "contingency; contingencies; Taiwan Strait; crisis; 有事; 台湾海峡; 危機",
}


def add_keywords(apps: Any, schema_editor: Any) -> None:
    """Give the bundle's themes their keywords where they have none."""
    theme_model = apps.get_model("recommendations", "Theme")
    for slug, keywords in KEYWORDS.items():
        theme_model.objects.filter(slug=slug, keywords="").update(keywords=keywords)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0021_theme_keywords")]

    operations = [migrations.RunPython(add_keywords, migrations.RunPython.noop)]
