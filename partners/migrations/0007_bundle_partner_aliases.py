"""Aliases for the partners of the shipped bundle (fixtures/tokuchi-2023-nss-commentary.json), so that the proposer
and the list's search find them by the other names texts use ("ROK", "Seoul", "米国", "アメリカ"). Only partners
whose aliases are still empty get them (what users wrote stays); new databases get them from the bundle itself."""

from typing import Any

from django.db import migrations

#: Aliases by partner slug, ";"-separated.
ALIASES = {
    "japan": "Tokyo; Japanese government; Government of Japan; 日本国; 我が国; わが国; 日本政府",
    "united-states": "U.S.; US; USA; United States of America; America; Washington; 米国; アメリカ; アメリカ合衆国; 合衆国",
    "australia": "Canberra; 豪州; 豪",
    "south-korea": "ROK; Republic of Korea; Seoul; 韓国; 大韓民国",
    "philippines": "the Philippines; Manila; 比国",
    "vietnam": "Viet Nam; Hanoi; ベトナム",
    "india": "New Delhi; Delhi; 印度",
    "taiwan": "Taipei; 台北",
    "canada": "Ottawa",
    "europe": "European Union; EU; 欧州連合; ヨーロッパ",
    "asean": "ASEAN; Southeast Asian nations; 東南アジア諸国連合; アセアン",
    "quad": "the Quad; Quad; Japan-U.S.-Australia-India; 日米豪印; クアッド",
    "japan-us-alliance": "Japan-U.S. alliance; U.S.-Japan alliance; US-Japan alliance; 日米同盟",
    "japan-us-2plus2": "Security Consultative Committee; 日米安全保障協議委員会; 日米2+2",
    "japan-us-rok-trilateral": "Japan-U.S.-South Korea; US – Japan – Republic of Korea; trilateral partnership; 日米韓",
    "japan-philippines-2plus2": "Japan-Philippines 2+2; 日比2+2",
    "japan-india-2plus2": "Japan-India 2+2; 日印2+2",
    "ipoi": "IPOI; Indo-Pacific Oceans Initiative; インド太平洋海洋イニシアティブ",
    "gctf": "GCTF; Global Cooperation and Training Framework; Global Training and Cooperation Framework; グローバル協力訓練枠組み",
    "indo-pacific": "Indo-Pacific region; インド太平洋地域",
    "southeast-asia": "South-East Asia; 東南アジア",
    "south-asia": "南アジア",
    "pacific-islands": "Pacific Island countries; Pacific Islands; 太平洋島嶼国; 太平洋島嶼地域",
    "jsdf": "JSDF; SDF; Self-Defense Forces; Japanese military; 自衛隊",
    "japan-coast-guard": "JCG; Japan Coast Guard; 海上保安庁; 海保",
    "us-coast-guard": "USCG; U.S. Coast Guard; 米国沿岸警備隊; 米沿岸警備隊",
    "us-indopacom": "INDOPACOM; U.S. Indo-Pacific Command; Indo-Pacific Command; インド太平洋軍",
    "mofa": "MOFA; Ministry of Foreign Affairs; Foreign Ministry; 外務省",
    "mod": "MOD; Ministry of Defense; Defense Ministry; 防衛省",
}


def add_aliases(apps: Any, schema_editor: Any) -> None:
    """Give the bundle's partners their aliases where they have none."""
    partner_model = apps.get_model("partners", "Partner")
    for slug, aliases in ALIASES.items():
        partner_model.objects.filter(slug=slug, aliases="").update(aliases=aliases)


class Migration(migrations.Migration):
    dependencies = [("partners", "0006_partner_aliases")]

    operations = [migrations.RunPython(add_aliases, migrations.RunPython.noop)]
